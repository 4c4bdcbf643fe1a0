package dev.ampere.replication;

import dev.ampere.testing.RunningAmpere;
import dev.ampere.testing.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.ampere.Ampere;
import dev.ampere.config.Config;
import dev.ampere.stack.StackEvent;
import dev.ampere.stack.StackStatus;
import dev.ampere.testing.EventLog;
import dev.ampere.testing.TestConfig;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * No single shape can hold replication: over real Postgres and HTTP, a LIKE pattern that used to backtrack
 * exponentially is evaluated on a 2,000-character row while other shapes keep receiving changes and the slot
 * advances; a where clause that throws on a row (a cast of text to int, a division by zero) ends its own shape,
 * whose clients get 409, while its neighbours carry on, and so does one that goes over its evaluation budget; a
 * shape recovered after a restart does not bring a stall back.
 */
class WhereClauseFailureIntegrationTest {
    private static RunningAmpere a;

    @BeforeAll
    static void start() throws Exception {
        a = new RunningAmpere("ELECTRIC_LONG_POLL_TIMEOUT", "20000");
    }

    @AfterAll
    static void stop() throws Exception {
        a.close();
    }

    /** A shape's snapshot on the Ampere at {@code port}: its handle and the offset to go live from. */
    private record Shape(int port, String table, String where, String handle, String offset) {}

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static HttpResponse<String> get(int port, String... kv) throws Exception {
        StringBuilder q = new StringBuilder();
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] == null) continue;
            q.append(q.isEmpty() ? "" : "&").append(kv[i]).append('=').append(URLEncoder.encode(kv[i + 1], StandardCharsets.UTF_8));
        }
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v1/shape?" + q))
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Shape create(String table, String where) throws Exception {
        return create(a.ampere.httpPort(), table, where);
    }

    private static Shape create(int port, String table, String where) throws Exception {
        HttpResponse<String> r = get(port, "table", table, "offset", "-1", "where", where);
        assertEquals(200, r.statusCode(), r.body());
        return new Shape(port, table, where, r.headers().firstValue("electric-handle").orElseThrow(),
                r.headers().firstValue("electric-offset").orElseThrow());
    }

    private static CompletableFuture<HttpResponse<String>> live(Shape s, String offset) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return get(s.port, "table", s.table, "offset", offset, "handle", s.handle, "live", "true", "where", s.where);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
    }

    /** Follows the shape's live log from its snapshot until a response contains {@code needle}. */
    private static String follow(Shape s, String needle) throws Exception {
        return follow(s, s.offset, needle);
    }

    private static String follow(Shape s, String from, String needle) throws Exception {
        String offset = from;
        StringBuilder seen = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> r = live(s, offset).get(60, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode(), r.body());
            seen.append(r.body());
            if (r.body().contains(needle)) return seen.toString();
            offset = r.headers().firstValue("electric-offset").orElseThrow();
        }
        return fail("never saw " + needle + " in " + seen);
    }

    private static String lsn(String query) throws Exception {
        try (Connection c = TestDatabase.connect(a.database); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    @Test
    void aFormerlyExponentialLikeHoldsNobodyUp() throws Exception {
        a.sql("CREATE TABLE docs (id int PRIMARY KEY, title text)", "INSERT INTO docs VALUES (1, 'x')");
        Shape hostile = create("docs", "title LIKE '%a%a%a%a%a%a%a%a%a%a%a%a%b'");
        Shape neighbour = create("docs", null);
        String before = lsn("SELECT pg_current_wal_lsn()::text");
        a.sql("INSERT INTO docs VALUES (2, repeat('a', 2000))", "INSERT INTO docs VALUES (3, 'after')",
                "INSERT INTO docs VALUES (4, repeat('a', 2000) || 'b')");
        assertTrue(follow(neighbour, "\"after\"").contains("aaaaaaaa"));
        // The hostile shape works: the long row does not match, one ending in b does.
        String body = follow(hostile, "aab\"");
        assertFalse(body.contains("\"after\""), body);
        // The slot advances past the long row's transaction.
        String confirmed = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            confirmed = lsn("SELECT confirmed_flush_lsn > '" + before + "'::pg_lsn FROM pg_replication_slots"
                    + " WHERE slot_name = 'electric_slot_" + a.streamId + "'");
            if ("t".equals(confirmed)) break;
            Thread.sleep(100);
        }
        assertEquals("t", confirmed, "the slot's confirmed_flush_lsn did not pass " + before);
    }

    @Test
    void aClauseThatThrowsEndsOnlyItsOwnShape() throws Exception {
        a.sql("CREATE TABLE nums (id int PRIMARY KEY, title text)", "INSERT INTO nums VALUES (1, '1'), (2, '2')");
        Shape cast = create("nums", "title::int = 1");
        Shape division = create("nums", "1 / (id - 5) = 1");
        Shape neighbour = create("nums", "id > 0");
        CompletableFuture<HttpResponse<String>> castLive = live(cast, cast.offset);
        CompletableFuture<HttpResponse<String>> divisionLive = live(division, division.offset);

        a.sql("INSERT INTO nums VALUES (3, 'three')");
        HttpResponse<String> gone = castLive.get(60, TimeUnit.SECONDS);
        assertEquals(409, gone.statusCode(), gone.body());
        assertTrue(gone.body().contains("must-refetch"), gone.body());
        assertTrue(follow(neighbour, "\"three\"").contains("\"three\""));

        a.sql("INSERT INTO nums VALUES (5, '5')", "INSERT INTO nums VALUES (6, '6')");
        HttpResponse<String> divided = divisionLive.get(60, TimeUnit.SECONDS);
        assertEquals(409, divided.statusCode(), divided.body());
        assertTrue(follow(neighbour, "\"6\"").contains("\"5\""));

        // The handles are dead; a fresh request runs the clause in Postgres, which refuses it for these rows.
        HttpResponse<String> again = get(cast.port, "table", "nums", "offset", cast.offset, "handle", cast.handle,
                "where", cast.where);
        assertEquals(409, again.statusCode(), again.body());
        HttpResponse<String> refetch = get(cast.port, "table", "nums", "offset", "-1", "where", cast.where);
        assertEquals(400, refetch.statusCode(), refetch.body());
    }

    @Test
    void anEvaluationOverItsBudgetEndsOnlyItsOwnShape() throws Exception {
        a.sql("CREATE TABLE pats (id int PRIMARY KEY, title text, pat text)", "INSERT INTO pats VALUES (1, 'x', '%')");
        Shape costly = create("pats", "title LIKE pat");
        Shape neighbour = create("pats", "id > 0");
        CompletableFuture<HttpResponse<String>> costlyLive = live(costly, costly.offset);
        // A 10,000-character segment tried at 30,000 positions: far over the budget of one evaluation.
        a.sql("INSERT INTO pats VALUES (2, repeat('a', 40000), '%' || repeat('a', 10000) || 'b%')",
                "INSERT INTO pats VALUES (3, 'next', '%')");
        HttpResponse<String> gone = costlyLive.get(60, TimeUnit.SECONDS);
        assertEquals(409, gone.statusCode(), gone.body());
        assertTrue(follow(neighbour, "\"next\"").contains("\"next\""));
    }

    @TempDir
    Path storage;

    private static Ampere ready(Config c) throws Exception {
        Ampere started = Ampere.start(c);
        try (EventLog log = new EventLog(started.stack().events())) {
            if (started.stack().events().status() != StackStatus.ACTIVE) log.await(StackEvent.Ready.class, 60);
        }
        return started;
    }

    @Test
    void aRecoveredShapeDoesNotBringTheStallBack() throws Exception {
        String db = TestDatabase.createDatabase();
        String stream = TestConfig.newStreamId();
        Config config = TestConfig.config(TestDatabase.databaseUrl(db), stream, storage, "ELECTRIC_LONG_POLL_TIMEOUT", "20000");
        String where = "title LIKE '%a%a%a%a%a%a%a%a%a%a%a%a%b'";
        try (Connection c = TestDatabase.connect(db); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE docs (id int PRIMARY KEY, title text)");
            st.execute("INSERT INTO docs VALUES (1, 'x')");
            Shape hostile;
            String offset;
            try (Ampere first = ready(config)) {
                hostile = create(first.httpPort(), "docs", where);
                st.execute("INSERT INTO docs VALUES (2, repeat('a', 2000))");
                st.execute("INSERT INTO docs VALUES (3, 'a-a-a-a-a-a-a-a-a-a-a-a-b')");
                follow(hostile, "a-b\"");
                offset = get(first.httpPort(), "table", "docs", "offset", hostile.offset, "handle", hostile.handle,
                        "where", where).headers().firstValue("electric-offset").orElseThrow();
            }
            st.execute("INSERT INTO docs VALUES (4, repeat('a', 3000))"); // while Ampere is down
            st.execute("INSERT INTO docs VALUES (5, 'a-a-a-a-a-a-a-a-a-a-a-a-a-b')");
            try (Ampere second = ready(config)) {
                Shape recovered = new Shape(second.httpPort(), "docs", where, hostile.handle, offset);
                String body = follow(recovered, offset, "a-a-b\"");
                assertFalse(body.contains("aaaaaaaaaa"), body);
                Shape neighbour = create(second.httpPort(), "docs", null);
                st.execute("INSERT INTO docs VALUES (6, repeat('a', 2000))");
                st.execute("INSERT INTO docs VALUES (7, 'later')");
                follow(neighbour, "\"later\"");
            }
        } finally {
            try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
                s.execute("SELECT pg_drop_replication_slot('electric_slot_" + stream + "')");
            }
        }
    }
}
