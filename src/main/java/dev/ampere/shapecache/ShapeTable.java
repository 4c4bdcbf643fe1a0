package dev.ampere.shapecache;

import dev.ampere.shapes.DefinitionKey;
import dev.ampere.shapes.ShapeState;

import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The live shapes of a stack, by handle and by definition, for lock-free reads on HTTP threads. Created once per
 * stack, so it outlives restarts of the ShapeCache; {@link #available()} is false while no ShapeCache runs.
 *
 * <p>Thread-safe. Written only by the ShapeCache process; an entry is added to both maps before it is reachable by
 * definition, and removed from the definition map first.
 */
public final class ShapeTable {
    private final ConcurrentMap<String, ShapeState> byHandle = new ConcurrentHashMap<>();
    private final ConcurrentMap<DefinitionKey, String> handleByDefinition = new ConcurrentHashMap<>();
    private volatile boolean available;

    public Optional<ShapeState> get(String handle) {
        return Optional.ofNullable(byHandle.get(handle));
    }

    public Optional<ShapeState> byDefinition(DefinitionKey key) {
        String handle = handleByDefinition.get(key);
        return handle == null ? Optional.empty() : get(handle);
    }

    public int size() {
        return byHandle.size();
    }

    public Collection<ShapeState> all() {
        return byHandle.values();
    }

    /** True while a ShapeCache runs and has recovered the stored shapes. */
    public boolean available() {
        return available;
    }

    void setAvailable(boolean value) {
        available = value;
    }

    void put(ShapeState state) {
        byHandle.put(state.handle(), state);
        // The key object is the shape's own: the HTTP layer's alias of this definition shares it (http/DefinitionAliases).
        handleByDefinition.put(state.definitionKey(), state.handle());
    }

    ShapeState remove(String handle) {
        ShapeState s = byHandle.get(handle);
        if (s == null) return null;
        handleByDefinition.remove(s.definitionKey(), handle);
        byHandle.remove(handle);
        return s;
    }

    void clear() {
        handleByDefinition.clear();
        byHandle.clear();
    }
}
