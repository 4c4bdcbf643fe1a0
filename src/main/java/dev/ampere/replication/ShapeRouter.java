package dev.ampere.replication;

import dev.ampere.changes.Change;

import dev.ampere.process.ProcessRef;
import dev.ampere.where.index.ShapeFilterIndex;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Finds the shapes a change can affect through the where-clause filter index: per table, hash lookups for indexable
 * clauses and compiled predicates for the rest, so a change that matches no shape costs about the same at 100 and
 * at 100,000 shapes. An update reaches the shapes its old row or its new row belongs to (moves in and out); a
 * TRUNCATE reaches every shape on its table.
 *
 * <p>Not thread-safe: owned by the ShapeLogCollector's thread.
 */
final class ShapeRouter {
    private final ShapeFilterIndex<String> index = new ShapeFilterIndex<>();
    private final Map<Integer, List<ShapeSubscription>> byTable = new HashMap<>();
    private final Map<String, ShapeSubscription> byHandle = new HashMap<>();
    private final Map<ProcessRef, String> byConsumer = new HashMap<>();

    void add(ShapeSubscription s) {
        remove(s.handle());
        byHandle.put(s.handle(), s);
        byConsumer.put(s.consumer(), s.handle());
        byTable.computeIfAbsent(s.table().oid(), k -> new ArrayList<>()).add(s);
        index.register(s.handle(), s.table(), s.where());
    }

    ShapeSubscription remove(String handle) {
        ShapeSubscription s = byHandle.remove(handle);
        if (s == null) return null;
        byConsumer.remove(s.consumer(), handle);
        index.remove(handle);
        List<ShapeSubscription> list = byTable.get(s.table().oid());
        list.remove(s);
        if (list.isEmpty()) byTable.remove(s.table().oid());
        return s;
    }

    ShapeSubscription get(String handle) {
        return byHandle.get(handle);
    }

    /** The shape a consumer process serves, or null. */
    String handleOf(ProcessRef consumer) {
        return byConsumer.get(consumer);
    }

    int size() {
        return byHandle.size();
    }

    List<ShapeSubscription> onTable(int tableOid) {
        return byTable.getOrDefault(tableOid, List.of());
    }

    void affected(Change change, Consumer<String> out) {
        int oid = change.relation().id();
        if (!index.hasShapes(oid)) return;
        switch (change) {
            case Change.Insert i -> index.affectedShapes(oid, i.record()::value).forEach(out);
            case Change.Delete d -> index.affectedShapes(oid, d.oldRecord()::value).forEach(out);
            case Change.Update u -> {
                index.affectedShapes(oid, u.oldRecord()::value).forEach(out);
                index.affectedShapes(oid, u.record()::value).forEach(out);
            }
            case Change.Truncate t -> onTable(oid).forEach(s -> out.accept(s.handle()));
        }
    }
}
