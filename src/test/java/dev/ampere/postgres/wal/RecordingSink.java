package dev.ampere.postgres.wal;

import dev.ampere.changes.Change;
import dev.ampere.changes.Relation;
import dev.ampere.changes.TransactionFragment;
import dev.ampere.postgres.wal.ChangeSink;

import java.util.ArrayList;
import java.util.List;

/** A ChangeSink that keeps everything it is given, for tests. */
final class RecordingSink implements ChangeSink {
    final List<Relation> relations = new ArrayList<>();
    final List<TransactionFragment> fragments = new ArrayList<>();
    final List<Object> events = new ArrayList<>();

    @Override
    public void onRelation(Relation relation) {
        relations.add(relation);
        events.add(relation);
    }

    @Override
    public void onFragment(TransactionFragment fragment) {
        fragments.add(fragment);
        events.add(fragment);
    }

    List<Change> changes() {
        List<Change> all = new ArrayList<>();
        for (TransactionFragment f : fragments) all.addAll(f.changes());
        return all;
    }
}
