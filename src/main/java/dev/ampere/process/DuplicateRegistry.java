package dev.ampere.process;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Consumer;

/**
 * Publish/subscribe by key, where many subscribers may share a key (Elixir's duplicate-key Registry). Used for
 * stack events and for the HTTP requests waiting on a shape handle. A subscription is removed by closing it, or
 * automatically when the subscribing process exits.
 *
 * <p>Thread-safe: subscribing, unsubscribing and dispatching may race freely; a dispatch reaches every
 * subscriber present when it started and possibly ones added during it.
 *
 * @param <K> the key type
 * @param <M> the message type
 */
public final class DuplicateRegistry<K, M> {
    private final ConcurrentMap<K, Set<Subscription>> subscribers = new ConcurrentHashMap<>();

    /** A live subscription; {@link #close()} removes it. */
    public final class Subscription implements AutoCloseable {
        private final K key;
        private final Consumer<? super M> listener;

        private Subscription(K key, Consumer<? super M> listener) {
            this.key = key;
            this.listener = listener;
        }

        @Override
        public void close() {
            subscribers.computeIfPresent(key, (k, set) -> {
                set.remove(this);
                return set.isEmpty() ? null : set;
            });
        }
    }

    /** Calls {@code listener} (on the dispatching thread) for every message published under {@code key}. */
    public Subscription subscribe(K key, Consumer<? super M> listener) {
        Subscription s = new Subscription(key, listener);
        subscribers.compute(key, (k, set) -> {
            Set<Subscription> target = set == null ? ConcurrentHashMap.newKeySet() : set;
            target.add(s);
            return target;
        });
        return s;
    }

    /** Delivers every message published under {@code key} to {@code process}'s mailbox, until it exits. */
    public Subscription subscribe(K key, ProcessRef process) {
        Subscription s = subscribe(key, process::send);
        process.onExit(reason -> s.close());
        return s;
    }

    /** Publishes {@code message} to the current subscribers of {@code key}; returns how many there were. */
    public int dispatch(K key, M message) {
        Set<Subscription> set = subscribers.get(key);
        if (set == null) return 0;
        int n = 0;
        for (Subscription s : set) {
            s.listener.accept(message);
            n++;
        }
        return n;
    }

    public int count(K key) {
        Set<Subscription> set = subscribers.get(key);
        return set == null ? 0 : set.size();
    }

    public List<K> keys() {
        return List.copyOf(subscribers.keySet());
    }
}
