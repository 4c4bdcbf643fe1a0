package dev.ampere.postgres;

import dev.ampere.changes.Lsn;

import dev.ampere.postgres.FatalDatabaseError;
import org.postgresql.PGConnection;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The steps that prepare a replication connection (docs/protocol.md §3.2): identify the system, check
 * {@code wal_level}, and create the publication and the slot if they do not exist yet. Each step is idempotent, so
 * a restarted client simply runs them again.
 *
 * <p>Stateless; the connection passed in is confined to the caller's thread.
 */
public final class ReplicationSetup {
    private static final String DUPLICATE_OBJECT = "42710";

    private ReplicationSetup() {}

    public static SystemIdentity identify(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("IDENTIFY_SYSTEM")) {
            rs.next();
            return new SystemIdentity(rs.getString("systemid"), rs.getInt("timeline"),
                    Lsn.parse(rs.getString("xlogpos")), rs.getString("dbname"));
        }
    }

    /** Logical decoding needs {@code wal_level = logical}; anything else is a configuration error. */
    public static void checkWalLevel(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW wal_level")) {
            rs.next();
            String level = rs.getString(1);
            if (!"logical".equals(level)) {
                throw new FatalDatabaseError("Postgres has wal_level=" + level + "; logical replication needs"
                        + " wal_level=logical (set it in postgresql.conf or with ALTER SYSTEM, then restart Postgres)");
            }
        }
    }

    /** Creates the (initially empty) publication; an existing one is kept as it is. */
    public static void ensurePublication(Connection c, String publication) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE PUBLICATION " + TableInfo.quoteIdent(publication));
        } catch (SQLException e) {
            if (!DUPLICATE_OBJECT.equals(e.getSQLState())) throw e;
        }
    }

    /** Creates the pgoutput slot unless it exists; true when it was created now. */
    public static boolean ensureSlot(Connection c, String slot, boolean temporary) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT 1 FROM pg_replication_slots WHERE slot_name = '"
                     + slot.replace("'", "''") + "'")) {
            if (rs.next()) return false;
        }
        try {
            var builder = c.unwrap(PGConnection.class).getReplicationAPI().createReplicationSlot().logical()
                    .withSlotName(slot).withOutputPlugin("pgoutput");
            if (temporary) builder = builder.withTemporaryOption();
            builder.make();
            return true;
        } catch (SQLException e) {
            if (DUPLICATE_OBJECT.equals(e.getSQLState())) return false;
            throw e;
        }
    }

    /** The position the slot will resume from, or {@link Lsn#ZERO} when unknown. */
    public static Lsn confirmedFlush(Connection c, String slot) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '"
                     + slot.replace("'", "''") + "'")) {
            if (!rs.next() || rs.getString(1) == null) return Lsn.ZERO;
            return Lsn.parse(rs.getString(1));
        }
    }
}
