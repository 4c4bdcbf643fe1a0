package dev.ampere.replication;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Finds the shapes a change can affect: the shapes on the change's table whose matcher lets it through. A TRUNCATE
 * affects every shape on its table.
 *
 * <p>Not thread-safe: owned by the ShapeLogCollector's thread.
 */
final class ShapeRouter {
    private record TableKey(String schema, String table) {}

    private final Map<TableKey, List<ShapeSubscription>> byTable = new HashMap<>();
    private final Map<String, ShapeSubscription> byHandle = new HashMap<>();
    private final Map<dev.ampere.process.ProcessRef, String> byConsumer = new HashMap<>();

    void add(ShapeSubscription s) {
        remove(s.handle());
        byHandle.put(s.handle(), s);
        byConsumer.put(s.consumer(), s.handle());
        byTable.computeIfAbsent(new TableKey(s.schema(), s.table()), k -> new ArrayList<>()).add(s);
    }

    ShapeSubscription remove(String handle) {
        ShapeSubscription s = byHandle.remove(handle);
        if (s == null) return null;
        byConsumer.remove(s.consumer(), handle);
        TableKey key = new TableKey(s.schema(), s.table());
        List<ShapeSubscription> list = byTable.get(key);
        list.remove(s);
        if (list.isEmpty()) byTable.remove(key);
        return s;
    }

    ShapeSubscription get(String handle) {
        return byHandle.get(handle);
    }

    /** The shape a consumer process serves, or null. */
    String handleOf(dev.ampere.process.ProcessRef consumer) {
        return byConsumer.get(consumer);
    }

    int size() {
        return byHandle.size();
    }

    List<ShapeSubscription> onTable(String schema, String table) {
        return byTable.getOrDefault(new TableKey(schema, table), List.of());
    }

    void affected(Change change, Consumer<ShapeSubscription> out) {
        Relation r = change.relation();
        for (ShapeSubscription s : onTable(r.schema(), r.table())) {
            if (change instanceof Change.Truncate || s.matcher().mayAffect(change)) out.accept(s);
        }
    }
}
