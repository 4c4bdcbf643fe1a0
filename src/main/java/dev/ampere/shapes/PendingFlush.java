package dev.ampere.shapes;

import dev.ampere.shapecache.storage.ShapeStorage;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One shape's hand-over to the stack's {@link ShapeFlusher}: the last commit whose changes the shape's consumer has
 * appended to storage (and published to readers), and whether the flusher already has it queued.
 *
 * <p>The consumer calls {@link #stored} at each transaction end; only a call that finds the mark not queued asks
 * for it to be queued, so a busy shape costs the flusher one entry per pass, not one per transaction. The flusher
 * calls {@link #take} when its pass begins: it clears the queued flag first and reads the commit second, so a
 * commit stored after the flag was cleared is queued again for the next pass, and the commit it reads was stored
 * (and published) before the pass's sync starts.
 *
 * <p>Threading: {@link #stored} from the shape's consumer only; {@link #take} from the flusher only.
 */
public final class PendingFlush {
    private final String handle;
    private final ShapeStorage storage;
    private final AtomicBoolean queued = new AtomicBoolean();
    private volatile long storedCommit;

    public PendingFlush(String handle, ShapeStorage storage) {
        this.handle = handle;
        this.storage = storage;
    }

    public String handle() {
        return handle;
    }

    public ShapeStorage storage() {
        return storage;
    }

    /**
     * Consumer: everything up to {@code commitLsn} is appended and published. True when the mark must be handed to
     * the flusher (it was not queued); the caller then does so, or calls {@link #unqueue} if it cannot.
     */
    public boolean stored(long commitLsn) {
        storedCommit = commitLsn;
        return !queued.get() && queued.compareAndSet(false, true);
    }

    /** Consumer: the hand-over after {@link #stored} failed (no flusher running); the next transaction tries again. */
    public void unqueue() {
        queued.set(false);
    }

    /** Flusher, at the start of a pass: the commit the pass makes durable for this shape. */
    public long take() {
        queued.set(false);
        return storedCommit;
    }
}
