package dev.ampere.shapes;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Shares equal immutable values, as {@link String#intern()} does for strings: thousands of shapes on one table carry
 * the same column list and, once recovered from storage, equal copies of the same table metadata; keeping one copy of
 * each is most of what an idle shape's definition costs. Bounded: past {@code max} distinct values it starts over
 * (values already handed out stay valid; only the sharing of later ones restarts).
 *
 * <p>Thread-safe. Only for immutable values with value equality.
 */
public final class Interner<T> {
    private final ConcurrentHashMap<T, T> values = new ConcurrentHashMap<>();
    private final int max;

    public Interner(int max) {
        this.max = max;
    }

    public T intern(T value) {
        T prior = values.putIfAbsent(value, value);
        if (prior != null) return prior;
        if (values.size() > max) values.clear();
        return value;
    }
}
