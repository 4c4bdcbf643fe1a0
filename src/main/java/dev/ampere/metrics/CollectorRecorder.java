package dev.ampere.metrics;

import dev.ampere.replication.ReplicationMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** The ShapeLogCollector's figures: transactions, changes, changes that hit no shape, replication lag. */
final class CollectorRecorder implements ReplicationMetrics {
    private final Counter transactions;
    private final Counter changes;
    private final Counter unmatched;
    private final Timer lag;
    private final AtomicLong lastLagNanos = new AtomicLong(-1);

    CollectorRecorder(MeterRegistry registry) {
        transactions = Counter.builder("electric.postgres.replication.transaction_received")
                .description("Transactions received from the replication stream and dispatched to shapes")
                .register(registry);
        changes = Counter.builder("ampere.replication.changes")
                .description("Changes (inserts, updates, deletes, truncates) received from the replication stream")
                .register(registry);
        unmatched = Counter.builder("ampere.replication.changes_unmatched")
                .description("Changes that affected no shape").register(registry);
        lag = Timer.builder("ampere.replication.lag")
                .description("From a transaction's commit in Postgres to its dispatch to the shapes (wall clocks)")
                .register(registry);
        Gauge.builder("ampere.replication.last_lag", lastLagNanos,
                        n -> n.get() < 0 ? Double.NaN : n.get() / 1e9)
                .baseUnit("seconds")
                .description("The replication lag of the last transaction dispatched").register(registry);
    }

    @Override
    public void fragmentRouted(int changeCount, int unmatchedCount) {
        changes.increment(changeCount);
        if (unmatchedCount > 0) unmatched.increment(unmatchedCount);
    }

    @Override
    public void transactionDispatched(long lagNanos) {
        transactions.increment();
        lag.record(lagNanos, TimeUnit.NANOSECONDS);
        lastLagNanos.set(lagNanos);
    }

    long lastLagMillis() {
        long n = lastLagNanos.get();
        return n < 0 ? -1 : n / 1_000_000;
    }
}
