package dev.ampere.stack;

import dev.ampere.process.DuplicateRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * The event bus and status of one stack. Publishing an event updates the status the health endpoint reads, logs
 * the event as one line of progress, and delivers it to every subscriber on the publishing thread.
 *
 * <p>Thread-safe: any process may publish; the status and the last fatal message are volatile snapshots.
 */
public final class StackEvents {
    private static final Logger log = LoggerFactory.getLogger("dev.ampere.stack");

    private final String stackId;
    private final DuplicateRegistry<String, StackEvent> bus = new DuplicateRegistry<>();
    private volatile StackStatus status = StackStatus.WAITING;
    private volatile String fatal;
    private volatile String storageFault;
    private volatile Runnable storageRecheck = () -> { };

    public StackEvents(String stackId) {
        this.stackId = stackId;
    }

    public StackStatus status() {
        return status;
    }

    /** The message of a fatal event, once one happened. */
    public Optional<String> fatal() {
        return Optional.ofNullable(fatal);
    }

    /**
     * Why shape storage cannot take writes, while it cannot. Asks the storage to look again first (it limits how
     * often it really does), so the answer moves back once space returns even when nothing is writing.
     */
    public Optional<String> storageFault() {
        if (storageFault != null) storageRecheck.run();
        return Optional.ofNullable(storageFault);
    }

    /** Set by the owner of the stack's storage: how {@link #storageFault()} asks it to look again. */
    public void storageRecheck(Runnable recheck) {
        storageRecheck = recheck;
    }

    public DuplicateRegistry<String, StackEvent>.Subscription subscribe(Consumer<? super StackEvent> listener) {
        return bus.subscribe(stackId, listener);
    }

    public void publish(StackEvent event) {
        switch (event) {
            case StackEvent.ConnectionFailed e ->
                    log.warn("[{}] cannot connect to Postgres for {}: {}; retrying in {} s", stackId, e.purpose(),
                            e.message(), e.retryIn().toSeconds());
            case StackEvent.WaitingForLock e -> {
                status = StackStatus.WAITING;
                log.info("[{}] waiting for the replication lock on slot {}", stackId, e.slotName());
            }
            case StackEvent.LockAcquired e -> {
                status = StackStatus.STARTING;
                log.info("[{}] holding the replication lock on slot {}", stackId, e.slotName());
            }
            case StackEvent.ReplicationConnected e -> log.info(
                    "[{}] replication connection up (system {}, timeline {}{}{})", stackId, e.systemId(), e.timeline(),
                    e.slotCreated() ? ", new slot" : "", e.timelineChanged() ? ", timeline changed" : "");
            case StackEvent.Ready e -> {
                status = StackStatus.ACTIVE;
                log.info("[{}] ready", stackId);
            }
            case StackEvent.Replicating e -> log.info("[{}] replicating from {}", stackId, e.fromLsn());
            case StackEvent.ConnectionLost e -> {
                if (status == StackStatus.ACTIVE) status = StackStatus.STARTING;
                log.warn("[{}] lost the {}: {}", stackId, e.what(), e.message());
            }
            case StackEvent.StorageFailing e -> {
                storageFault = e.reason();
                log.warn("[{}] shape storage is failing: {}; new shapes are refused and changes are held until it "
                        + "recovers", stackId, e.reason());
            }
            case StackEvent.StorageRecovered e -> {
                storageFault = null;
                log.info("[{}] shape storage recovered; held changes are being stored", stackId);
            }
            case StackEvent.Fatal e -> {
                fatal = e.message();
                log.error("[{}] {}", stackId, e.message());
            }
        }
        bus.dispatch(stackId, event);
    }

    /** Marks the stack as no longer holding the lock (the connection tree is restarting). */
    public void lockReleased() {
        status = StackStatus.WAITING;
    }
}
