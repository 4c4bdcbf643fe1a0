package dev.ampere.http;

import dev.ampere.testing.RunningAmpere;
import dev.ampere.testing.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static dev.ampere.testing.RunningAmpere.params;
import static org.junit.jupiter.api.Assertions.*;

/** Subset snapshots (docs/protocol.md §1.11) over real HTTP against a real stack: GET and POST, errors, metadata. */
class SubsetSnapshotIntegrationTest {
    private static RunningAmpere a;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        a = new RunningAmpere("ELECTRIC_LONG_POLL_TIMEOUT", "2000");
        a.sql("CREATE TABLE items (id int PRIMARY KEY, title text, n int)",
                "INSERT INTO items VALUES (1, 'one', 1), (2, 'two', 2), (3, 'three', 3), (4, 'four', 4), (5, 'five', 5)");
    }

    @AfterAll
    static void stop() throws Exception {
        a.close();
    }

    private static HttpResponse<String> post(Map<String, String> query, String body) throws Exception {
        String q = query.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://localhost:" + a.ampere.httpPort() + "/v1/shape?" + q))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("content-type", "application/json")
                .timeout(Duration.ofSeconds(30)).build();
        return HTTP.send(r, HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> ids(String body) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("\"value\":\\{\"id\":\"(\\d+)\"").matcher(body);
        while (m.find()) out.add(m.group(1));
        return out;
    }

    private static String subsetError(String field, String message) {
        return "{\"message\":\"Invalid request\",\"errors\":{\"subset\":{\"" + field + "\":[\""
                + message.replace("\"", "\\\"") + "\"]}}}";
    }

    private static void assertSubset400(HttpResponse<String> r, String field, String message) {
        assertEquals(400, r.statusCode(), r.body());
        assertEquals(subsetError(field, message), r.body());
    }

    @Test
    void getServesTheSubsetWithElectricsHeadersAndBody() throws Exception {
        HttpResponse<String> r = a.shape(params("table", "items", "offset", "-1", "subset__where", "n > $1",
                "subset__params", "{\"1\":1}", "subset__order_by", "title DESC", "subset__limit", "2",
                "subset__offset", "1"));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("true", r.headers().firstValue("electric-snapshot").orElseThrow());
        assertEquals("no-cache", r.headers().firstValue("cache-control").orElseThrow());
        assertEquals("0_0", r.headers().firstValue("electric-offset").orElseThrow());
        assertTrue(r.headers().firstValue("electric-handle").isPresent());
        assertTrue(r.headers().firstValue("electric-schema").orElseThrow().contains("\"id\":{\"type\":\"int4\""));
        assertTrue(r.headers().firstValue("etag").isEmpty(), "a subset is never revalidated");
        // n > 1 ordered by title desc: two, three, four, five -> skip one, take two.
        assertEquals(List.of("3", "4"), ids(r.body()));
        Matcher m = Pattern.compile("^\\{\"metadata\":\\{\"xmin\":\"(\\d+)\",\"xmax\":\"(\\d+)\",\"xip_list\":\\[[^]]*],"
                + "\"snapshot_mark\":(\\d+),\"database_lsn\":\"(\\d+)\"},\"data\":\\[").matcher(r.body());
        assertTrue(m.find(), r.body());
        assertTrue(r.body().endsWith("]}"), r.body());
        assertTrue(r.body().contains("\"headers\":{\"operation\":\"insert\",\"relation\":[\"public\",\"items\"],"
                + "\"snapshot_mark\":" + m.group(3) + "}"), r.body());
        assertTrue(r.body().contains("{\"key\":\"\\\"public\\\".\\\"items\\\"/\\\"3\\\"\",\"value\":{\"id\":\"3\","
                + "\"title\":\"three\",\"n\":\"3\"}"), r.body());
    }

    @Test
    void postTakesTheSubsetFromTheBodyAtTopLevelOrNested() throws Exception {
        Map<String, String> q = params("table", "items", "offset", "-1");
        HttpResponse<String> top = post(q, "{\"where\":\"id IN ($1, $2)\",\"params\":{\"1\":\"2\",\"2\":5},"
                + "\"order_by\":\"id\",\"limit\":10}");
        assertEquals(200, top.statusCode(), top.body());
        assertEquals("no-cache", top.headers().firstValue("cache-control").orElseThrow());
        assertEquals(List.of("2", "5"), ids(top.body()));

        HttpResponse<String> nested = post(q, "{\"subset\":{\"where\":\"title LIKE 't%'\",\"order_by\":\"id DESC\"}}");
        assertEquals(200, nested.statusCode(), nested.body());
        assertEquals(List.of("3", "2"), ids(nested.body()));

        // Shape parameters may come in the body too; the body's win over the query string's.
        HttpResponse<String> shapeInBody = post(params("table", "nope", "offset", "-1"),
                "{\"table\":\"items\",\"subset\":{\"where\":\"id = 1\"}}");
        assertEquals(200, shapeInBody.statusCode(), shapeInBody.body());
        assertEquals(List.of("1"), ids(shapeInBody.body()));

        // With a nested subset, a top-level where and params are the shape's.
        HttpResponse<String> shapeWhere = post(params("offset", "-1"), "{\"table\":\"items\",\"where\":\"n > $1\","
                + "\"params\":{\"1\":3},\"subset\":{\"where\":\"n < $1\",\"params\":{\"1\":\"5\"}}}");
        assertEquals(200, shapeWhere.statusCode(), shapeWhere.body());
        assertEquals(List.of("4"), ids(shapeWhere.body()));

        // A POST without subset keys is a plain shape request, never cacheable.
        HttpResponse<String> plain = post(q, "");
        assertEquals(200, plain.statusCode(), plain.body());
        assertEquals("no-cache", plain.headers().firstValue("cache-control").orElseThrow());
        assertTrue(plain.body().startsWith("["), plain.body());
    }

    @Test
    void badBodiesAreRejectedAsElectricDoes() throws Exception {
        Map<String, String> q = params("table", "items", "offset", "-1");
        HttpResponse<String> notObject = post(q, "[1,2]");
        assertEquals(400, notObject.statusCode());
        assertEquals("{\"error\":\"Request body must be a JSON object\"}", notObject.body());
        HttpResponse<String> notJson = post(q, "{\"where\":");
        assertEquals(400, notJson.statusCode());
        assertTrue(notJson.body().startsWith("{\"error\":\"Invalid JSON in request body\",\"details\":"), notJson.body());
        HttpResponse<String> tooLarge = post(q, "{\"where\":\"" + "x".repeat(PostBody.MAX_BYTES) + "\"}");
        assertEquals(413, tooLarge.statusCode());
        assertEquals("{\"error\":\"Request body too large\"}", tooLarge.body());
    }

    @Test
    void validationErrorsAre400sUnderSubset() throws Exception {
        Map<String, String> base = params("table", "items", "offset", "-1");
        assertSubset400(get(base, "subset__limit", "2"), "order_by", "order_by is required when limit or offset is present");
        assertSubset400(get(base, "subset__offset", "2"), "order_by", "order_by is required when limit or offset is present");
        assertSubset400(get(base, "subset__limit", "0", "subset__order_by", "id"), "limit", "must be greater than 0");
        assertSubset400(get(base, "subset__offset", "-1", "subset__order_by", "id"), "offset",
                "must be greater than or equal to 0");
        assertSubset400(get(base, "subset__limit", "ten", "subset__order_by", "id"), "limit", "is invalid");
        assertSubset400(get(base, "subset__limit", "ten"), "limit", "is invalid");
        HttpResponse<String> both = get(base, "subset__limit", "0", "subset__where", "x");
        assertEquals("{\"message\":\"Invalid request\",\"errors\":{\"subset\":{\"limit\":[\"must be greater than 0\"],"
                + "\"order_by\":[\"order_by is required when limit or offset is present\"]}}}", both.body());
        assertSubset400(get(base, "subset__order_by", "lower(title)"), "order_by",
                "At location 18: FuncCall expressions are not allowed in ORDER BY clauses");
        assertSubset400(get(base, "subset__order_by", "id::text"), "order_by",
                "At location 20: TypeCast expressions are not allowed in ORDER BY clauses");
        assertSubset400(get(base, "subset__order_by", "id, $1"), "order_by",
                "At location 22: parameter $1 is not supported in ORDER BY clauses");
        assertSubset400(get(base, "subset__order_by", "ghost"), "order_by", "At location 18: unknown reference ghost");
        assertSubset400(get(base, "subset__order_by", "id; DROP TABLE items"), "order_by", "Unexpected `;` in order by");
        assertSubset400(get(base, "subset__order_by", "(SELECT 1)"), "order_by",
                "At location 18: SubLink expressions are not allowed in ORDER BY clauses");
        assertSubset400(get(base, "subset__order_by", "id x"), "order_by", "At location 21: syntax error at or near \"x\"");
        assertSubset400(get(base, "subset__where", "id IN (SELECT id FROM items)"), "where",
                "Subqueries are not allowed in subsets");
        assertSubset400(get(base, "subset__where", "1 x 1"), "where", "At location 17: syntax error at or near \"x\"");
        assertSubset400(get(base, "subset__where", "n + 1"), "where", "WHERE clause must return a boolean");
        assertSubset400(get(base, "subset__where", "id = $1", "subset__params", "{\"2\":\"1\"}"), "params",
                "Parameters must be numbered sequentially, starting from 1");
        assertSubset400(get(base, "subset__where", "id = $1", "subset__params", "{nope"), "params",
                "params must be valid JSON");
        assertSubset400(get(base, "subset__where", "id = $1", "subset__params", "[1]"), "params",
                "params must be a JSON object");
        // Postgres refusing the query for a row (an invalid value for the column's type) is the request's fault.
        assertSubset400(get(base, "subset__where", "title::int > 0"), "where",
                "invalid input syntax for type integer: \"one\"");
        // A shape whose own snapshot Postgres refuses answers as a log request does: the shape's where is at fault.
        HttpResponse<String> bad = get(params("table", "items", "offset", "-1", "where", "title::int > 0"),
                "subset__where", "id = 1");
        assertEquals(400, bad.statusCode(), bad.body());
        assertEquals("{\"message\":\"Invalid request\",\"errors\":{\"where\":[\"invalid input syntax for type integer:"
                + " \\\"one\\\"\"]}}", bad.body());
        // Errors of the shape itself come first and are the usual ones.
        HttpResponse<String> r = get(params("table", "items", "offset", "-1", "where", "1 x 1"), "subset__limit", "1");
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("\"errors\":{\"where\":"), r.body());
    }

    private static HttpResponse<String> get(Map<String, String> base, String... kv) throws Exception {
        Map<String, String> p = new java.util.LinkedHashMap<>(base);
        p.putAll(params(kv));
        return a.shape(p);
    }

    @Test
    void shapeAndSubsetParamsAreSeparateAndBothApply() throws Exception {
        HttpResponse<String> r = a.shape(params("table", "items", "offset", "-1", "where", "n >= $1", "params[1]", "3",
                "subset__where", "title <> $1", "subset__params[1]", "four", "subset__order_by", "id"));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(List.of("3", "5"), ids(r.body()));
        // Question marks in literals and names are no placeholders; a value never reaches the SQL text.
        a.sql("CREATE TABLE \"q?marks\" (id int PRIMARY KEY, \"what?\" text)",
                "INSERT INTO \"q?marks\" VALUES (1, 'why?'), (2, 'it''s ?'), (3, 'no')");
        HttpResponse<String> q = a.shape(params("table", "\"q?marks\"", "offset", "-1", "where", "\"what?\" <> '?'",
                "subset__where", "\"what?\" = 'why?' OR \"what?\" = $1", "subset__params", "{\"1\":\"it's ?\"}",
                "subset__order_by", "\"what?\" DESC"));
        assertEquals(200, q.statusCode(), q.body());
        assertEquals(List.of("1", "2"), ids(q.body()));
        // The subset's columns are the shape's.
        HttpResponse<String> cols = a.shape(params("table", "items", "offset", "-1", "columns", "id,title",
                "subset__where", "n = 2"));
        assertEquals(200, cols.statusCode(), cols.body());
        assertTrue(cols.body().contains("\"value\":{\"id\":\"2\",\"title\":\"two\"},\"headers\""), cols.body());
    }

    @Test
    void aSubsetLargerThanOneBufferStreamsWhole() throws Exception {
        a.sql("CREATE TABLE big (id int PRIMARY KEY, pad text)",
                "INSERT INTO big SELECT g, repeat('x', 200) FROM generate_series(1, 3000) g");
        HttpResponse<String> r = a.shape(params("table", "big", "offset", "-1", "log", "changes_only",
                "subset__where", "id % 2 = 0", "subset__order_by", "id DESC"));
        assertEquals(200, r.statusCode());
        assertTrue(r.body().length() > ResponseBody.BUFFER_LIMIT, "the body is streamed: " + r.body().length());
        List<String> ids = ids(r.body());
        assertEquals(1500, ids.size());
        assertEquals("3000", ids.getFirst());
        assertEquals("2", ids.getLast());
        assertTrue(r.body().endsWith("}}]}"), r.body().substring(r.body().length() - 50));
    }

    @Test
    void anUnknownHandleIsA409WithTheShapesHandle() throws Exception {
        HttpResponse<String> r = a.shape(params("table", "items", "offset", "0_inf", "handle", "1-2",
                "subset__where", "id = 1"));
        assertEquals(409, r.statusCode(), r.body());
        String handle = r.headers().firstValue("electric-handle").orElseThrow();
        HttpResponse<String> again = a.shape(params("table", "items", "offset", "0_inf", "handle", handle,
                "subset__where", "id = 1"));
        assertEquals(200, again.statusCode(), again.body());
        assertEquals(List.of("1"), ids(again.body()));
    }

    /**
     * The metadata and the offset let a client merge the subset with the log: what the subset's snapshot saw is not
     * after the offset or is marked visible; what it did not see is in the log after the offset and marked invisible.
     */
    @Test
    void metadataAgreesWithTheLogOfAChangesOnlyShape() throws Exception {
        a.sql("CREATE TABLE merged (id int PRIMARY KEY, v text)", "INSERT INTO merged VALUES (1, 'before the shape')");
        HttpResponse<String> first = a.shape(params("table", "merged", "offset", "-1", "log", "changes_only"));
        assertEquals(200, first.statusCode(), first.body());
        assertEquals(0, ids(first.body()).size(), "changes_only: no rows in the snapshot");
        String handle = first.headers().firstValue("electric-handle").orElseThrow();
        Map<String, String> shape = params("table", "merged", "log", "changes_only", "handle", handle);

        a.sql("INSERT INTO merged VALUES (2, 'committed before the subset')");
        String log = awaitLog(shape, "0_inf", "\"id\":\"2\"");
        long xid2 = txidOf(log, "2");

        try (Connection open = TestDatabase.connect(a.database); Statement s = open.createStatement()) {
            open.setAutoCommit(false);
            s.execute("INSERT INTO merged VALUES (3, 'in flight during the subset')");
            long xid3;
            try (ResultSet rs = s.executeQuery("SELECT txid_current()")) {
                rs.next();
                xid3 = rs.getLong(1);
            }
            Map<String, String> p = new java.util.LinkedHashMap<>(shape);
            p.put("offset", "0_inf");
            p.put("subset__order_by", "id");
            HttpResponse<String> subset = a.shape(p);
            assertEquals(200, subset.statusCode(), subset.body());
            assertEquals(List.of("1", "2"), ids(subset.body()));
            String offset = subset.headers().firstValue("electric-offset").orElseThrow();
            Snapshot snap = Snapshot.of(subset.body());
            assertTrue(snap.visible(xid2), "the subset saw the committed insert");
            assertFalse(snap.visible(xid3), "the subset did not see the transaction in flight");
            open.commit();

            a.sql("INSERT INTO merged VALUES (4, 'after the subset')");
            String after = awaitLog(shape, offset, "\"id\":\"4\"");
            assertTrue(after.contains("\"id\":\"3\""), "the in-flight row is in the log after the offset: " + after);
            assertFalse(snap.visible(txidOf(after, "3")));
            assertFalse(snap.visible(txidOf(after, "4")));
            assertFalse(after.contains("\"id\":\"2\""), "what the subset saw is not after its offset: " + after);
        }
    }

    @Test
    void domainsKeepTheirNameInTheSchemaHeader() throws Exception {
        a.sql("CREATE DOMAIN posint AS int4 CHECK (VALUE > 0)", "CREATE DOMAIN tags AS text[]",
                "CREATE TABLE typed (id posint PRIMARY KEY, many posint[], t tags, plain int4[])",
                "INSERT INTO typed VALUES (1, '{1,2}', '{a}', '{3}')");
        HttpResponse<String> r = a.shape(params("table", "typed", "offset", "-1"));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("{\"id\":{\"type\":\"posint\",\"pk_index\":0,\"not_null\":true},"
                        + "\"many\":{\"type\":\"posint\",\"dims\":1},\"plain\":{\"type\":\"int4\",\"dims\":1},"
                        + "\"t\":{\"type\":\"tags\"}}",
                r.headers().firstValue("electric-schema").orElseThrow());
        // The where engine still reads a domain as its base type.
        HttpResponse<String> w = a.shape(params("table", "typed", "offset", "-1", "where", "id > 0 AND 2 = ANY(many)"));
        assertEquals(200, w.statusCode(), w.body());
        assertEquals(List.of("1"), ids(w.body()));
    }

    /** Polls the log from {@code offset} until its body contains {@code needle}; bounded. */
    private static String awaitLog(Map<String, String> shape, String offset, String needle) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        StringBuilder seen = new StringBuilder();
        String from = offset;
        while (System.nanoTime() < deadline) {
            Map<String, String> p = new java.util.LinkedHashMap<>(shape);
            p.put("offset", from);
            p.put("live", "true");
            HttpResponse<String> r = a.shape(p);
            assertEquals(200, r.statusCode(), r.body());
            seen.append(r.body());
            from = r.headers().firstValue("electric-offset").orElseThrow();
            if (seen.toString().contains(needle)) return seen.toString();
        }
        fail("never saw " + needle + " in " + seen);
        return null;
    }

    private static long txidOf(String log, String id) {
        Matcher m = Pattern.compile("\"value\":\\{\"id\":\"" + id + "\"[^}]*},\"headers\":\\{[^}]*\"txids\":\\[(\\d+)]")
                .matcher(log);
        assertTrue(m.find(), "no change for id " + id + " in " + log);
        return Long.parseLong(m.group(1));
    }

    private record Snapshot(long xmin, long xmax, List<Long> xip) {
        static Snapshot of(String body) {
            Matcher m = Pattern.compile("\"xmin\":\"(\\d+)\",\"xmax\":\"(\\d+)\",\"xip_list\":\\[([^]]*)]").matcher(body);
            assertTrue(m.find(), body);
            List<Long> xip = new ArrayList<>();
            for (String x : m.group(3).split(",")) if (!x.isEmpty()) xip.add(Long.parseLong(x.replace("\"", "")));
            return new Snapshot(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), xip);
        }

        /** The client's isVisibleInSnapshot. */
        boolean visible(long xid) {
            return xid < xmin || (xid < xmax && !xip.contains(xid));
        }
    }
}
