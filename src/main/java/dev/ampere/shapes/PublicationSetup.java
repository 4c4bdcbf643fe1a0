package dev.ampere.shapes;

import dev.ampere.postgres.TableInfo;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;

/**
 * Makes a table replicate into the slot before its snapshot is read (docs/protocol.md §3.5, the [H] model): the whole
 * table in the publication, and {@code REPLICA IDENTITY FULL} so that updates and deletes carry the old row. Edits
 * of the publication are serialised across instances by a transaction-scoped advisory lock.
 *
 * <p>Stateless; each call uses its own pooled connection.
 */
public final class PublicationSetup {
    private PublicationSetup() {}

    static void prepare(DataSource pool, String publication, TableInfo table) throws SQLException {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                // ALTER TABLE waits for an exclusive lock: a long transaction on the table must fail the snapshot
                // (the client retries) rather than hold the shape, and its buffered changes, indefinitely.
                s.execute("SET LOCAL lock_timeout = '10s'");
                // Durable before the snapshot is taken, whatever the server's default: an asynchronous commit lost
                // in a crash of Postgres would take the table out of the publication under a shape that believes
                // it is replicated, and let its xid be reused by later transactions (docs/protocol.md §3.5).
                s.execute("SET LOCAL synchronous_commit = on");
                s.execute("SELECT pg_advisory_xact_lock(hashtext('" + publication.replace("'", "''") + "'))");
                if (!published(c, publication, table)) {
                    s.execute("ALTER PUBLICATION " + TableInfo.quoteIdent(publication) + " ADD TABLE " + table.quotedName());
                }
                if (replicaIdentity(c, table) != 'f') {
                    s.execute("ALTER TABLE " + table.quotedName() + " REPLICA IDENTITY FULL");
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * The OIDs of the tables {@link #prepare} has made replicate, as the database has them now: in the publication,
     * with {@code REPLICA IDENTITY FULL}. A recovered shape whose table is not among them cannot have seen every
     * change since its snapshot (docs/protocol.md §3.9).
     */
    public static Set<Integer> preparedTables(DataSource pool, String publication) throws SQLException {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT c.oid::int8 FROM pg_publication_tables p JOIN pg_namespace n ON n.nspname = p.schemaname"
                        + " JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = p.tablename"
                        + " WHERE p.pubname = ? AND c.relreplident = 'f'")) {
            ps.setString(1, publication);
            Set<Integer> oids = new HashSet<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) oids.add((int) rs.getLong(1));
            }
            return oids;
        }
    }

    private static boolean published(Connection c, String publication, TableInfo table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM pg_publication_tables WHERE pubname = ? AND schemaname = ? AND tablename = ?")) {
            ps.setString(1, publication);
            ps.setString(2, table.schema());
            ps.setString(3, table.name());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static char replicaIdentity(Connection c, TableInfo table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT relreplident FROM pg_class WHERE oid = ?")) {
            ps.setLong(1, table.oid() & 0xFFFFFFFFL);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) throw new SQLException("table " + table.quotedName() + " no longer exists", "42P01");
                return rs.getString(1).charAt(0);
            }
        }
    }
}
