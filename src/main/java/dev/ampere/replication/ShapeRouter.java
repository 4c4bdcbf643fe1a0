package dev.ampere.replication;

import dev.ampere.changes.Change;
import dev.ampere.changes.LogOffset;
import dev.ampere.changes.TransactionFragment;
import dev.ampere.process.ProcessRef;
import dev.ampere.shapes.ConsumerMessages;
import dev.ampere.shapes.ShapeSubscription;
import dev.ampere.where.index.ShapeFilterIndex;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides, once per change, which shapes it affects and how, through the where-clause filter index: per table,
 * hash lookups for indexable clauses and compiled predicates for the rest, so a change that matches no shape costs
 * about the same at 100 and at 100,000 shapes. What it learns is handed on: for each affected shape, the change's
 * position in the fragment and whether its old row and its new row satisfy the shape's where clause (an update
 * can move a row into or out of a shape). Consumers act on those facts and never evaluate a where clause again.
 * A TRUNCATE reaches every shape on its table.
 *
 * <p>A shape whose where clause cannot be evaluated on a change (Postgres would raise an error for the row, or the
 * evaluation went over its cost budget) is taken out of routing at once, before the next change, and reported in
 * {@link Routed#failed()}: it gets none of the fragment's changes, and the other shapes are routed as usual.
 *
 * <p>A shape whose where clause has sub-selects is registered once per table it depends on: under its handle on its
 * own table, and under {@code handle + "\u0000" + n} on the table of its n-th sub-select, each with a routing clause
 * that admits every row the shape could need; matches found under any of them go to the shape's one list.
 *
 * <p>Not thread-safe: owned by the ShapeLogCollector's thread.
 */
final class ShapeRouter {
    private final ShapeFilterIndex<String> index = new ShapeFilterIndex<>();
    private final Map<Integer, List<ShapeSubscription>> byTable = new HashMap<>();
    private final Map<String, ShapeSubscription> byHandle = new HashMap<>();
    private final Map<ProcessRef, String> byConsumer = new HashMap<>();
    /** The index keys of sub-select routes, to the handle of the shape they route to. */
    private final Map<String, String> routeOwner = new HashMap<>();
    private int matchCount;
    private int lastUnmatched;

    void add(ShapeSubscription s) {
        remove(s.handle());
        byHandle.put(s.handle(), s);
        byConsumer.put(s.consumer(), s.handle());
        byTable.computeIfAbsent(s.table().oid(), k -> new ArrayList<>()).add(s);
        index.register(s.handle(), s.table(), s.where());
        List<ShapeSubscription.Route> routes = s.dependencies();
        for (int n = 0; n < routes.size(); n++) {
            ShapeSubscription.Route r = routes.get(n);
            String key = routeKey(s.handle(), n);
            routeOwner.put(key, s.handle());
            index.register(key, r.table(), r.where());
            List<ShapeSubscription> onTable = byTable.computeIfAbsent(r.table().oid(), k -> new ArrayList<>());
            if (!onTable.contains(s)) onTable.add(s);
        }
    }

    private static String routeKey(String handle, int n) {
        return handle + "\u0000" + n;
    }

    /** The shape an index key routes to. */
    private String owner(String key) {
        String owner = routeOwner.get(key);
        return owner == null ? key : owner;
    }

    ShapeSubscription remove(String handle) {
        ShapeSubscription s = byHandle.remove(handle);
        if (s == null) return null;
        byConsumer.remove(s.consumer(), handle);
        index.remove(handle);
        removeFromTable(s.table().oid(), s);
        for (int n = 0; n < s.dependencies().size(); n++) {
            String key = routeKey(handle, n);
            routeOwner.remove(key);
            index.remove(key);
            removeFromTable(s.dependencies().get(n).table().oid(), s);
        }
        return s;
    }

    private void removeFromTable(int oid, ShapeSubscription s) {
        List<ShapeSubscription> list = byTable.get(oid);
        if (list == null) return;
        list.remove(s);
        if (list.isEmpty()) byTable.remove(oid);
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

    /**
     * What routing a fragment found: every affected shape with its packed matches, in the order shapes were first
     * affected, and the shapes whose where clause failed (already unregistered here).
     */
    record Routed(Map<String, MatchList> affected, List<Failure> failed) {}

    /** A shape whose where clause threw on the change at {@code offset}; the shape is no longer routed to. */
    record Failure(ShapeSubscription shape, RuntimeException error, LogOffset offset) {}

    Routed route(TransactionFragment f) {
        Map<String, MatchList> out = new LinkedHashMap<>();
        List<Failure> failed = new ArrayList<>();
        Map<String, RuntimeException> failedNow = new LinkedHashMap<>();
        List<Change> changes = f.changes();
        int unmatched = 0;
        for (int pos = 0; pos < changes.size(); pos++) {
            Change change = changes.get(pos);
            int before = matchCount;
            route(change, pos, out, failedNow);
            if (matchCount == before) unmatched++;
            if (failedNow.isEmpty()) continue;
            for (Map.Entry<String, RuntimeException> e : failedNow.entrySet()) {
                out.remove(e.getKey());
                ShapeSubscription s = remove(e.getKey());
                if (s != null) failed.add(new Failure(s, e.getValue(), change.offset()));
            }
            failedNow.clear();
        }
        lastUnmatched = unmatched;
        return new Routed(out, failed);
    }

    /** How many changes of the last routed fragment affected no shape. */
    int lastUnmatched() {
        return lastUnmatched;
    }

    private void route(Change change, int pos, Map<String, MatchList> out, Map<String, RuntimeException> failed) {
        int oid = change.relation().id();
        if (!index.hasShapes(oid)) return;
        java.util.function.BiConsumer<String, RuntimeException> onFailure = (key, e) -> failed.putIfAbsent(owner(key), e);
        switch (change) {
            case Change.Insert i -> {
                for (String h : index.affectedShapes(oid, i.record()::value, onFailure)) add(out, owner(h), pos, false, true);
            }
            case Change.Delete d -> {
                for (String h : index.affectedShapes(oid, d.oldRecord()::value, onFailure)) add(out, owner(h), pos, true, false);
            }
            case Change.Update u -> {
                Set<String> oldIn = index.affectedShapes(oid, u.oldRecord()::value, onFailure);
                Set<String> newIn = index.affectedShapes(oid, u.record()::value, onFailure);
                for (String h : oldIn) if (!failed.containsKey(owner(h))) add(out, owner(h), pos, true, newIn.contains(h));
                for (String h : newIn) if (!oldIn.contains(h) && !failed.containsKey(owner(h))) add(out, owner(h), pos, false, true);
            }
            case Change.Truncate t -> {
                for (ShapeSubscription s : onTable(oid)) add(out, s.handle(), pos, false, false);
            }
        }
    }

    /**
     * A shape routed the same change through several of its tables' routes (a sub-select over its own table, or two
     * over one table) gets it once: the facts of a shape with sub-selects are its consumer's to judge.
     */
    private void add(Map<String, MatchList> out, String handle, int pos, boolean oldIn, boolean newIn) {
        MatchList list = out.computeIfAbsent(handle, h -> new MatchList());
        if (list.lastPosition() == pos) return;
        list.add(ConsumerMessages.match(pos, oldIn, newIn));
        matchCount++;
    }
}
