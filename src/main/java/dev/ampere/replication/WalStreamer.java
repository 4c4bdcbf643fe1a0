package dev.ampere.replication;

import dev.ampere.changes.Relation;
import dev.ampere.changes.Row;
import dev.ampere.changes.TransactionFragment;
import dev.ampere.postgres.wal.ChangeSink;

import dev.ampere.config.Config;
import dev.ampere.changes.Lsn;
import dev.ampere.postgres.RelationName;
import dev.ampere.postgres.ReplicationStreamer;
import dev.ampere.postgres.TableLookup;
import dev.ampere.postgres.wal.WalReader;
import dev.ampere.postgres.wal.WalReaderOptions;
import dev.ampere.process.ProcessContext;
import dev.ampere.process.ProcessRef;
import dev.ampere.stack.Names;
import dev.ampere.stack.Stack;
import org.postgresql.PGConnection;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the ReplicationClient runs once streaming starts: a {@link WalReader} on its connection (pgoutput protocol 2,
 * so large transactions stream in pieces and spill to disk), delivering into the ShapeLogCollector and taking its
 * acknowledgements from it. Row keys use the catalog's primary key, read through the Inspector.
 *
 * <p>Runs on the ReplicationClient's thread; stopping that process interrupts the reader.
 */
public final class WalStreamer implements ReplicationStreamer {
    private final Stack stack;
    private final TableLookup tables;

    public WalStreamer(Stack stack, TableLookup tables) {
        this.stack = stack;
        this.tables = tables;
    }

    @Override
    public void stream(ProcessContext ctx, Connection connection, Lsn start) throws Exception {
        Config config = stack.config();
        ProcessRef collector = stack.registry().whereis(Names.SHAPE_LOG_COLLECTOR)
                .orElseThrow(() -> new IllegalStateException("the shape log collector is not running"));
        WalReaderOptions options = WalReaderOptions.of(config.slotName(), config.publicationName())
                .withProtoVersion(2)
                .withMessages(true) // subset visibility barriers (VisibilityBarriers)
                .withStartLsn(start)
                .withSpillDirectory(config.storageDir().resolve("spill").resolve(stack.id()));
        AtomicReference<ChangeSink> sink = new AtomicReference<>();
        ChangeSink forward = new ChangeSink() {
            @Override
            public void onRelation(Relation relation) {
                sink.get().onRelation(relation);
            }

            @Override
            public void onFragment(TransactionFragment fragment) {
                sink.get().onFragment(fragment);
            }

            @Override
            public void onMessage(String prefix, byte[] content) {
                sink.get().onMessage(prefix, content);
            }
        };
        WalReader reader = new WalReader(connection.unwrap(PGConnection.class), options, this::keyColumns, forward);
        sink.set(ShapeLogCollector.attach(collector, reader));
        reader.run();
    }

    private List<String> keyColumns(Relation relation) {
        try {
            return tables.primaryKey(new RelationName(relation.schema(), relation.table()), Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }
}
