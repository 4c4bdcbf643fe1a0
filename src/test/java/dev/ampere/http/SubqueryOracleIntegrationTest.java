package dev.ampere.http;

import dev.ampere.faults.ShapeClient;
import dev.ampere.testing.RunningAmpere;
import dev.ampere.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A differential oracle for where clauses with sub-selects (docs/protocol.md §2, §4): random shapes over three related
 * tables, each followed by a client that replays its log into rows (starting over from {@code offset=-1} on 409
 * must-refetch), while random multi-statement transactions move rows in and out of the sub-selects' sets. At
 * checkpoints every client is brought up to date with the last write and its rows are compared with what Postgres
 * itself selects for the same table, where text and parameters.
 *
 * <p>The seed is printed on failure; {@code -Dsubq.seed=N} replays one run.
 */
class SubqueryOracleIntegrationTest {
    private static final int TRANSACTIONS = 220;
    private static final int CHECKPOINT_EVERY = 55;
    private static final int EXTRA_SHAPES = 4;
    private static final long SETTLE_MILLIS = 20_000;

    private static final Map<String, List<String>> COLUMNS = Map.of(
            "users", List.of("id", "team", "active"),
            "projects", List.of("id", "owner", "archived"),
            "tasks", List.of("id", "project_id", "assignee", "title", "done"));

    /** A where clause with {@code $n} parameters drawn at random. */
    private record Template(String table, String where, Function<Random, List<String>> params) {}

    private static List<String> none(Random r) {
        return List.of();
    }

    private static List<String> user(Random r) {
        return List.of(String.valueOf(1 + r.nextInt(8)));
    }

    private static List<String> team(Random r) {
        return List.of(String.valueOf(1 + r.nextInt(3)));
    }

    private static List<String> project(Random r) {
        return List.of(String.valueOf(1 + r.nextInt(10)));
    }

    private static List<String> title(Random r) {
        return List.of(String.valueOf((char) ('a' + r.nextInt(3))));
    }

    private static final List<Template> TEMPLATES = List.of(
            new Template("tasks", "project_id IN (SELECT id FROM projects WHERE owner = $1)",
                    SubqueryOracleIntegrationTest::user),
            new Template("tasks", "project_id NOT IN (SELECT id FROM projects WHERE archived)",
                    SubqueryOracleIntegrationTest::none),
            new Template("tasks", "done = false AND project_id IN (SELECT id FROM projects WHERE owner IN "
                    + "(SELECT id FROM users WHERE team = $1))", SubqueryOracleIntegrationTest::team),
            new Template("tasks", "(project_id, assignee) IN (SELECT id, owner FROM projects)",
                    SubqueryOracleIntegrationTest::none),
            // projects.owner is sometimes NULL: then NOT IN is never true.
            new Template("tasks", "assignee NOT IN (SELECT owner FROM projects WHERE archived)",
                    SubqueryOracleIntegrationTest::none),
            new Template("tasks", "done OR project_id IN (SELECT id FROM projects WHERE NOT archived AND owner = $1)",
                    SubqueryOracleIntegrationTest::user),
            new Template("tasks", "NOT (project_id IN (SELECT id FROM projects WHERE owner = $1))",
                    SubqueryOracleIntegrationTest::user),
            new Template("tasks", "title = $2 OR assignee IN (SELECT id FROM users WHERE active AND team = $1)",
                    r -> List.of(team(r).getFirst(), title(r).getFirst())),
            new Template("tasks", "project_id IN (SELECT id FROM projects WHERE owner IN (SELECT id FROM users WHERE active))"
                    + " AND assignee IN (SELECT id FROM users WHERE team = $1)", SubqueryOracleIntegrationTest::team),
            new Template("tasks", "assignee IN (SELECT owner FROM projects WHERE id = $1) AND NOT done",
                    SubqueryOracleIntegrationTest::project),
            new Template("tasks", "project_id NOT IN (SELECT id FROM projects WHERE owner NOT IN "
                    + "(SELECT id FROM users WHERE team = $1))", SubqueryOracleIntegrationTest::team),
            new Template("projects", "owner IN (SELECT id FROM users WHERE team = $1)",
                    SubqueryOracleIntegrationTest::team),
            new Template("projects", "archived = false AND owner NOT IN (SELECT id FROM users WHERE NOT active)",
                    SubqueryOracleIntegrationTest::none),
            new Template("projects", "id IN (SELECT project_id FROM tasks WHERE done)",
                    SubqueryOracleIntegrationTest::none),
            new Template("projects", "(id, owner) IN (SELECT project_id, assignee FROM tasks WHERE title = $1)",
                    SubqueryOracleIntegrationTest::title));

    private record ShapeDef(String table, String where, List<String> params) {
        String[] httpParams() {
            List<String> p = new ArrayList<>(List.of("table", table, "where", markedWhere()));
            for (int i = 0; i < params.size(); i++) {
                p.add("params[" + (i + 1) + "]");
                p.add(params.get(i));
            }
            return p.toArray(String[]::new);
        }

        /** The where clause with the checkpoint marker rows (id < 0) in. */
        String markedWhere() {
            return "(" + where + ") OR id < 0";
        }

        @Override
        public String toString() {
            return table + " WHERE " + where + (params.isEmpty() ? "" : " with " + params);
        }
    }

    /** One shape's client; driven by one thread at a time (the test's, or one request in flight). */
    private static final class Follower {
        final ShapeDef def;
        final ShapeClient client;
        Future<Integer> inFlight;

        Follower(ShapeDef def, String baseUrl) {
            this.def = def;
            this.client = new ShapeClient(baseUrl, def.httpParams());
        }
    }

    private final AtomicLong conflicts = new AtomicLong();
    private final AtomicLong liveChanges = new AtomicLong();
    private final AtomicLong unavailable = new AtomicLong();
    private long seed;

    @Test
    void shapesWithSubSelectsMatchPostgresUnderRandomWrites() throws Exception {
        seed = Long.getLong("subq.seed", 20261206L);
        Random r = new Random(seed);
        try (RunningAmpere a = new RunningAmpere("ELECTRIC_LONG_POLL_TIMEOUT", "300");
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            a.sql("CREATE TABLE users (id int PRIMARY KEY, team int, active bool)",
                    "CREATE TABLE projects (id int PRIMARY KEY, owner int, archived bool, note text)",
                    "CREATE TABLE tasks (id int PRIMARY KEY, project_id int, assignee int, title text, done bool,"
                            + " note text)",
                    // The checkpoint markers: in every shape (each where clause is ORed with id < 0), and never
                    // touched by the workload, whose filters never match their NULLs.
                    "INSERT INTO projects (id, note) VALUES (-1, '0')",
                    "INSERT INTO tasks (id, note) VALUES (-1, '0')");
            try (Connection c = TestDatabase.connect(a.database); Statement s = c.createStatement()) {
                for (int id = 1; id <= 6; id++) s.execute(insert("users", id, r));
                for (int id = 1; id <= 7; id++) s.execute(insert("projects", id, r));
                for (int id = 1; id <= 10; id++) s.execute(insert("tasks", id, r));
            }

            String baseUrl = "http://localhost:" + a.ampere.httpPort();
            List<Follower> followers = new ArrayList<>();
            for (Template t : TEMPLATES) followers.add(new Follower(new ShapeDef(t.table, t.where, t.params.apply(r)), baseUrl));
            for (int i = 0; i < EXTRA_SHAPES; i++) {
                Template t = TEMPLATES.get(r.nextInt(TEMPLATES.size()));
                followers.add(new Follower(new ShapeDef(t.table, t.where, t.params.apply(r)), baseUrl));
            }
            settle(pool, followers, 0);

            int comparisons = 0;
            int checkpoint = 0;
            try (Connection c = TestDatabase.connect(a.database)) {
                c.setAutoCommit(false);
                comparisons += compare(c, followers, "after the initial sync");
                for (int tx = 1; tx <= TRANSACTIONS; tx++) {
                    List<String> statements = new ArrayList<>();
                    int n = 1 + r.nextInt(5);
                    try (Statement s = c.createStatement()) {
                        for (int i = 0; i < n; i++) {
                            String q = statement(r);
                            statements.add(q);
                            s.execute(q);
                        }
                    }
                    c.commit();
                    // Between transactions: a few clients take a step, live ones left waiting across later writes.
                    for (int k = r.nextInt(4); k > 0; k--) {
                        Follower f = followers.get(r.nextInt(followers.size()));
                        if (f.inFlight != null) {
                            if (!f.inFlight.isDone()) continue;
                            collect(f);
                        }
                        if (f.client.upToDate) f.inFlight = pool.submit(() -> step(f, true));
                        else step(f, false);
                    }
                    if (tx % CHECKPOINT_EVERY == 0 || tx == TRANSACTIONS) {
                        checkpoint++;
                        try (Statement s = c.createStatement()) {
                            s.execute("UPDATE projects SET note = '" + checkpoint + "' WHERE id = -1");
                            s.execute("UPDATE tasks SET note = '" + checkpoint + "' WHERE id = -1");
                        }
                        c.commit();
                        settle(pool, followers, checkpoint);
                        comparisons += compare(c, followers, "at checkpoint " + checkpoint + " (after transaction " + tx
                                + ", the last: " + statements + ")");
                    }
                }
            }
            System.out.printf("subquery oracle: seed %d, %d shapes, %d transactions, %d comparisons, %d 409s, "
                            + "%d live changes, %d 503s%n", seed, followers.size(), TRANSACTIONS, comparisons,
                    conflicts.get(), liveChanges.get(), unavailable.get());
            assertTrue(conflicts.get() > 0, "seed " + seed + ": no write changed a sub-select's set (no 409 seen)");
            assertTrue(liveChanges.get() > 0, "seed " + seed + ": no live change reached any client");
        }
    }

    // ---- clients ----

    /**
     * One request for {@code f}: counts 409s and the changes that arrived after the client was up to date; fails on
     * a status a client cannot act on.
     */
    private int step(Follower f, boolean live) throws Exception {
        ShapeClient c = f.client;
        boolean synced = c.upToDate;
        long before = c.operations;
        int status = c.poll(live);
        switch (status) {
            case 200, 204 -> {
                if (synced) liveChanges.addAndGet(c.operations - before);
            }
            case 409 -> conflicts.incrementAndGet();
            case 503 -> {
                unavailable.incrementAndGet();
                Thread.sleep(100); // the server asked to come back later (retry-after); a short pause will do here
            }
            default -> throw new AssertionError("seed " + seed + ": shape " + f.def + " answered " + status + ": "
                    + c.lastError);
        }
        return status;
    }

    private static void collect(Follower f) throws Exception {
        try {
            f.inFlight.get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception x) throw x;
            throw (Error) e.getCause();
        } finally {
            f.inFlight = null;
        }
    }

    /**
     * Brings every client up to date with the checkpoint's write: requests until the client holds its table's marker
     * row with note {@code checkpoint} and is up to date. A shape's log is in commit order, so every earlier write is
     * then in it too.
     */
    private void settle(ExecutorService pool, List<Follower> followers, int checkpoint) throws Exception {
        for (Follower f : followers) if (f.inFlight != null) collect(f);
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (Follower f : followers) {
            all.add(CompletableFuture.runAsync(() -> {
                try {
                    settle(f, checkpoint);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, pool));
        }
        try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        } catch (java.util.concurrent.CompletionException e) {
            Throwable t = e.getCause();
            if (t instanceof RuntimeException && t.getCause() != null) t = t.getCause();
            if (t instanceof Error err) throw err;
            throw (Exception) t;
        }
    }

    private void settle(Follower f, int checkpoint) throws Exception {
        ShapeClient c = f.client;
        String want = String.valueOf(checkpoint);
        long deadline = System.currentTimeMillis() + SETTLE_MILLIS;
        while (true) {
            Map<String, String> marker = c.rows.values().stream().filter(row -> "-1".equals(row.get("id")))
                    .findFirst().orElse(Map.of());
            if (c.upToDate && want.equals(marker.get("note"))) return;
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("seed " + seed + ": shape " + f.def + " did not reach checkpoint " + checkpoint
                        + " in " + SETTLE_MILLIS + " ms");
            }
            step(f, c.upToDate);
        }
    }

    // ---- the oracle ----

    private static final Pattern PARAM = Pattern.compile("\\$(\\d+)");

    /** Compares every client's rows with Postgres's; fails with every difference found. */
    private int compare(Connection c, List<Follower> followers, String when) throws Exception {
        StringBuilder diffs = new StringBuilder();
        for (Follower f : followers) {
            Map<String, Map<String, String>> expected = select(c, f.def);
            Map<String, Map<String, String>> actual = new TreeMap<>();
            for (Map<String, String> row : f.client.rows.values()) actual.put(row.get("id"), row);
            if (expected.equals(actual)) continue;
            diffs.append("\n  shape ").append(f.def).append(" (handle ").append(f.client.handle).append("):");
            for (String id : new TreeSet<>(expected.keySet())) {
                if (!actual.containsKey(id)) diffs.append("\n    missing ").append(expected.get(id));
                else if (!expected.get(id).equals(actual.get(id))) {
                    diffs.append("\n    differs: postgres ").append(expected.get(id)).append(", client ").append(actual.get(id));
                }
            }
            for (String id : actual.keySet()) {
                if (!expected.containsKey(id)) diffs.append("\n    extra ").append(actual.get(id));
            }
        }
        c.commit();
        if (!diffs.isEmpty()) fail("seed " + seed + " (-Dsubq.seed=" + seed + "), " + when + ":" + diffs + "\n" + dump(c));
        return followers.size();
    }

    /** Postgres's rows for the shape: every column as text, by id. */
    private static Map<String, Map<String, String>> select(Connection c, ShapeDef def) throws Exception {
        List<String> cols = new ArrayList<>(COLUMNS.get(def.table));
        cols.add("note"); // shapes are over projects and tasks, which carry the checkpoint marker's column
        StringBuilder select = new StringBuilder("SELECT ");
        for (int i = 0; i < cols.size(); i++) select.append(i > 0 ? ", " : "").append(asText(cols.get(i)));
        Matcher m = PARAM.matcher(def.markedWhere());
        List<String> binds = new ArrayList<>();
        StringBuilder where = new StringBuilder();
        while (m.find()) {
            binds.add(def.params.get(Integer.parseInt(m.group(1)) - 1));
            m.appendReplacement(where, "?");
        }
        m.appendTail(where);
        select.append(" FROM ").append(def.table).append(" WHERE ").append(where);
        Map<String, Map<String, String>> out = new TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement(select.toString())) {
            for (int i = 0; i < binds.size(); i++) ps.setObject(i + 1, binds.get(i), Types.OTHER);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, String> row = new TreeMap<>();
                    for (int i = 0; i < cols.size(); i++) row.put(cols.get(i), rs.getString(i + 1));
                    out.put(row.get("id"), row);
                }
            }
        }
        return out;
    }

    private static final List<String> BOOLEANS = List.of("active", "archived", "done");

    /** A column as the Shape API sends it: Postgres's output form (booleans are t and f, which ::text is not). */
    private static String asText(String column) {
        return BOOLEANS.contains(column) ? "CASE WHEN " + column + " THEN 't' WHEN NOT " + column + " THEN 'f' END"
                : column + "::text";
    }

    private static String dump(Connection c) throws Exception {
        StringBuilder out = new StringBuilder("tables now:");
        try (Statement s = c.createStatement()) {
            for (String t : List.of("users", "projects", "tasks")) {
                out.append("\n  ").append(t).append(':');
                try (ResultSet rs = s.executeQuery("SELECT * FROM " + t + " ORDER BY id")) {
                    int n = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        out.append(" (");
                        for (int i = 1; i <= n; i++) out.append(i > 1 ? "," : "").append(rs.getString(i));
                        out.append(')');
                    }
                }
            }
        }
        c.commit();
        return out.toString();
    }

    // ---- the workload ----

    private static String maybeNull(Random r, int nullPercent, String value) {
        return r.nextInt(100) < nullPercent ? "NULL" : value;
    }

    private static String userRef(Random r) {
        return maybeNull(r, 12, String.valueOf(1 + r.nextInt(8)));
    }

    private static String teamValue(Random r) {
        return maybeNull(r, 10, String.valueOf(1 + r.nextInt(3)));
    }

    private static String projectRef(Random r) {
        return maybeNull(r, 8, String.valueOf(1 + r.nextInt(10)));
    }

    private static String bool(Random r, int nullPercent) {
        return maybeNull(r, nullPercent, r.nextBoolean() ? "true" : "false");
    }

    private static String titleValue(Random r) {
        return maybeNull(r, 15, "'" + (char) ('a' + r.nextInt(3)) + "'");
    }

    private static int maxId(String table) {
        return switch (table) {
            case "users" -> 8;
            case "projects" -> 10;
            default -> 14;
        };
    }

    private static String values(String table, int id, Random r) {
        return switch (table) {
            case "users" -> id + ", " + teamValue(r) + ", " + bool(r, 10);
            case "projects" -> id + ", " + userRef(r) + ", " + bool(r, 8);
            default -> id + ", " + projectRef(r) + ", " + userRef(r) + ", " + titleValue(r) + ", " + bool(r, 0);
        };
    }

    private static String insert(String table, int id, Random r) {
        return "INSERT INTO " + table + " VALUES (" + values(table, id, r) + ")";
    }

    private static String setValue(String table, String column, Random r) {
        return switch (table + "." + column) {
            case "users.team" -> teamValue(r);
            case "users.active" -> r.nextInt(4) == 0 ? "NOT active" : bool(r, 15);
            case "projects.owner", "tasks.assignee" -> userRef(r);
            case "projects.archived" -> r.nextInt(3) == 0 ? "NOT archived" : bool(r, 10);
            case "tasks.project_id" -> projectRef(r);
            case "tasks.title" -> titleValue(r);
            case "tasks.done" -> r.nextInt(3) == 0 ? "NOT done" : bool(r, 0);
            default -> throw new IllegalArgumentException(table + "." + column);
        };
    }

    /** One random write: tasks most often, then projects, then users. */
    private static String statement(Random r) {
        int t = r.nextInt(100);
        String table = t < 45 ? "tasks" : t < 78 ? "projects" : "users";
        List<String> cols = COLUMNS.get(table);
        int id = 1 + r.nextInt(maxId(table));
        int kind = r.nextInt(100);
        if (kind < 20) {
            return insert(table, id, r) + (r.nextBoolean() ? " ON CONFLICT (id) DO NOTHING"
                    : " ON CONFLICT (id) DO UPDATE SET " + cols.get(1) + " = EXCLUDED." + cols.get(1));
        }
        if (kind < 33) return "DELETE FROM " + table + " WHERE id = " + id;
        String column = cols.get(1 + r.nextInt(cols.size() - 1));
        String value = setValue(table, column, r);
        if (kind < 88) return "UPDATE " + table + " SET " + column + " = " + value + " WHERE id = " + id;
        // Several rows at once.
        String filter = switch (table) {
            case "users" -> "team = " + (1 + r.nextInt(3));
            case "projects" -> "owner = " + (1 + r.nextInt(8));
            default -> "project_id = " + (1 + r.nextInt(10));
        };
        return "UPDATE " + table + " SET " + column + " = " + value + " WHERE " + filter;
    }
}
