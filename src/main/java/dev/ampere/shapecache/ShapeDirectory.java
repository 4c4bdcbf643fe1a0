package dev.ampere.shapecache;

import dev.ampere.process.CallException;
import dev.ampere.process.ProcessRef;
import dev.ampere.process.ProcessRegistry;
import dev.ampere.shapes.DefinitionKey;
import dev.ampere.shapes.ShapeDefinition;
import dev.ampere.shapes.ShapeState;

import java.time.Duration;
import java.util.Collection;
import java.util.Optional;

/**
 * The ShapeCache as HTTP sees it: lock-free lookups of live shapes in the {@link ShapeTable} it publishes, and
 * calls to the ShapeCache process for what changes the set (creation, deletion). Handed to the HTTP routes by the
 * stack's builder.
 *
 * <p>Thread-safe.
 */
public final class ShapeDirectory {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final ShapeTable table;
    private final ProcessRegistry registry;
    private final Object cacheName;

    public ShapeDirectory(ShapeTable table, ProcessRegistry registry, Object cacheName) {
        this.table = table;
        this.registry = registry;
        this.cacheName = cacheName;
    }

    /** Whether shapes can be served: a ShapeCache runs and has recovered the stored shapes. */
    public boolean available() {
        return table.available();
    }

    /**
     * The shapes in the table right now, including any that ended and are about to go (check
     * {@link ShapeState#hasEnded()}); a weakly consistent view: shapes may come and go while it is read.
     */
    public Collection<ShapeState> all() {
        return table.all();
    }

    /** A live (not ended) shape by handle; finding it counts as a use ({@link ShapeState#markUsed()}). */
    public Optional<ShapeState> byHandle(String handle) {
        return used(table.get(handle));
    }

    /** A live (not ended) shape by definition key ({@link ShapeDefinition#key()}); finding it counts as a use. */
    public Optional<ShapeState> byDefinition(DefinitionKey key) {
        return used(table.byDefinition(key));
    }

    /** A live shape by handle, for monitoring and tests: unlike {@link #byHandle}, looking does not count as a use. */
    public Optional<ShapeState> observe(String handle) {
        return table.get(handle).filter(s -> !s.hasEnded());
    }

    private static Optional<ShapeState> used(Optional<ShapeState> found) {
        if (found.isEmpty() || found.get().hasEnded()) return Optional.empty();
        found.get().markUsed();
        return found;
    }

    /**
     * The shape for a definition: the existing one, or a new one whose snapshot is starting.
     *
     * @throws ShapesUnavailable when the ShapeCache cannot answer (restarting, overloaded, storage failing)
     */
    public ShapeState getOrCreate(ShapeDefinition definition) throws InterruptedException {
        Optional<ShapeState> existing = byDefinition(definition.key());
        if (existing.isPresent()) return existing.get();
        return call(new ShapeCache.GetOrCreate(definition));
    }

    /** Removes a shape; false when no such shape exists. Its readers answer 409 at once; storage goes soon after. */
    public boolean delete(String handle) throws InterruptedException {
        return call(new ShapeCache.Delete(handle));
    }

    private <T> T call(Object request) throws InterruptedException {
        ProcessRef cache = registry.whereis(cacheName)
                .orElseThrow(() -> new ShapesUnavailable("the shape cache is not running", null));
        try {
            return cache.call(request, CALL_TIMEOUT);
        } catch (CallException e) {
            throw new ShapesUnavailable(e.getCause() != null ? e.getCause().getMessage() : e.getMessage(), e);
        }
    }
}
