package dev.ampere.shapecache;

import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The live shapes of a stack, by handle and by definition, for lock-free reads on HTTP threads.
 *
 * <p>Thread-safe. Written only by the ShapeCache process; an entry is added to both maps before it is reachable by
 * definition, and removed from the definition map first.
 */
public final class ShapeTable {
    private final ConcurrentMap<String, ShapeStatus> byHandle = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, String> handleByDefinition = new ConcurrentHashMap<>();

    public Optional<ShapeStatus> get(String handle) {
        return Optional.ofNullable(byHandle.get(handle));
    }

    public Optional<ShapeStatus> byDefinition(String canonical) {
        String handle = handleByDefinition.get(canonical);
        return handle == null ? Optional.empty() : get(handle);
    }

    public int size() {
        return byHandle.size();
    }

    public Collection<ShapeStatus> all() {
        return byHandle.values();
    }

    void put(ShapeStatus status) {
        byHandle.put(status.handle(), status);
        handleByDefinition.put(status.definition().canonical(), status.handle());
    }

    ShapeStatus remove(String handle) {
        ShapeStatus s = byHandle.get(handle);
        if (s == null) return null;
        handleByDefinition.remove(s.definition().canonical(), handle);
        byHandle.remove(handle);
        return s;
    }
}
