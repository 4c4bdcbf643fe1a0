package dev.ampere.http;

import dev.ampere.testing.RunningAmpere;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static dev.ampere.testing.RunningAmpere.params;
import static org.junit.jupiter.api.Assertions.*;

/** The Shape API's error matrix and protocol rules over real HTTP, against a real stack. */
class ShapeApiIntegrationTest {
    private static RunningAmpere a;

    @BeforeAll
    static void start() throws Exception {
        a = new RunningAmpere("ELECTRIC_LONG_POLL_TIMEOUT", "2000", "ELECTRIC_ENABLE_INTEGRATION_TESTING", "true");
        a.sql("CREATE TABLE items (id int PRIMARY KEY, title text, n int)",
                "INSERT INTO items VALUES (1, 'one', 1), (2, 'two', 2)",
                "CREATE TABLE other (id int PRIMARY KEY, v text)");
    }

    @AfterAll
    static void stop() throws Exception {
        a.close();
    }

    private static void assert400(Map<String, String> p, String expectedBody) throws Exception {
        HttpResponse<String> r = a.shape(p);
        assertEquals(400, r.statusCode(), r.body());
        assertEquals(expectedBody, r.body());
        assertEquals("no-store", r.headers().firstValue("cache-control").orElseThrow());
        assertEquals("no-store", r.headers().firstValue("surrogate-control").orElseThrow());
    }

    private static String errors(String field, String message) {
        return "{\"message\":\"Invalid request\",\"errors\":{\"" + field + "\":[\"" + message.replace("\"", "\\\"") + "\"]}}";
    }

    @Test
    void parameterErrorsAre400sWithElectricsMessages() throws Exception {
        assert400(params("offset", "-1"), errors("table", "can't be blank"));
        assert400(params("table", "items"), errors("offset", "can't be blank"));
        assert400(params("table", "items", "offset", "abc"), errors("offset", "has invalid format"));
        assert400(params("table", "items", "offset", "5_0"), errors("handle", "can't be blank when offset != -1"));
        assert400(params("table", "items", "offset", "-1", "live", "true"), errors("live", "can't be true when offset == -1"));
        assert400(params("table", "items", "offset", "-1", "replica", "sometimes"), errors("replica", "is invalid"));
        assert400(params("table", "nope", "offset", "-1"), errors("table",
                "Table \"nope\" does not exist. If the table name contains capitals or special characters you must quote it."));
        assert400(params("table", "items", "offset", "-1", "where", "1 x 1"),
                errors("where", "At location 17: syntax error at or near \"x\""));
        assert400(params("table", "items", "offset", "-1", "where", "n + 1"),
                errors("where", "WHERE clause must return a boolean"));
        // A sub-select over a table that does not exist is refused at its SELECT, a malformed one where Postgres
        // finds the error (SubqueryShapeIntegrationTest has the forms that are served).
        assert400(params("table", "items", "offset", "-1", "where",
                        "id IN (SELECT item_id FROM memberships WHERE user_id = $1)", "params[1]", "7"),
                errors("where", "At location 7: relation \"memberships\" does not exist"));
        assert400(params("table", "items", "offset", "-1", "where", "(id, n) NOT IN (SELECT a, b FROM t)"),
                errors("where", "At location 16: relation \"t\" does not exist"));
        assert400(params("table", "items", "offset", "-1", "where", "id IN (SELECT b FROM t WHERE c = )"),
                errors("where", "At location 48: syntax error at or near \")\""));
        assert400(params("table", "items", "offset", "-1", "columns", "title"),
                errors("columns", "The list of columns must include all primary key columns, missing: id"));
        assert400(params("table", "items", "offset", "-1", "columns", "id,ghost"),
                errors("columns", "The following columns are not found on the table: ghost"));
    }

    @Test
    void unknownColumnsInWhereAndBadParamsAre400s() throws Exception {
        HttpResponse<String> r = a.shape(params("table", "items", "offset", "-1", "where", "ghost = 1"));
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("\"where\""), r.body());
        r = a.shape(params("table", "items", "offset", "-1", "where", "id = $1", "params[2]", "1"));
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("\"params\""), r.body());
    }

    @Test
    void unknownParametersAreIgnoredAndTheSnapshotIsServed() throws Exception {
        HttpResponse<String> r = a.shape(params("table", "items", "offset", "-1", "cursor", "1", "expired_handle", "x",
                "cache-buster", "y", "customParam", "z"));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("public, max-age=604800, s-maxage=3600, stale-while-revalidate=2629746",
                r.headers().firstValue("cache-control").orElseThrow());
        assertEquals("0_0", r.headers().firstValue("electric-offset").orElseThrow());
        assertTrue(r.headers().firstValue("electric-schema").isPresent());
        assertTrue(r.headers().firstValue("electric-up-to-date").isEmpty(), "offset=-1 is never up to date");
        assertTrue(r.body().contains("\"value\":{\"id\":\"1\",\"title\":\"one\",\"n\":\"1\"}"), r.body());
    }

    @Test
    void unknownOrMismatchedHandlesAre409sPointingAtTheRightShape() throws Exception {
        HttpResponse<String> first = a.shape(params("table", "items", "offset", "-1"));
        String handle = first.headers().firstValue("electric-handle").orElseThrow();

        HttpResponse<String> unknown = a.shape(params("table", "items", "offset", "0_inf", "handle", "123-456"));
        assertEquals(409, unknown.statusCode());
        assertEquals("[{\"headers\":{\"control\":\"must-refetch\"}}]", unknown.body());
        assertEquals(handle, unknown.headers().firstValue("electric-handle").orElseThrow());
        assertEquals("public, max-age=60, must-revalidate", unknown.headers().firstValue("cache-control").orElseThrow());

        HttpResponse<String> mismatch = a.shape(params("table", "items", "offset", "0_inf", "handle", handle, "where", "n > 1"));
        assertEquals(409, mismatch.statusCode());
        String whereHandle = mismatch.headers().firstValue("electric-handle").orElseThrow();
        assertNotEquals(handle, whereHandle);
        HttpResponse<String> same = a.shape(params("table", "items", "offset", "-1", "where", "n  >  1"));
        assertEquals(whereHandle, same.headers().firstValue("electric-handle").orElseThrow(),
                "definitions that differ only in spacing share a handle");
    }

    @Test
    void deleteTruncateAndSchemaChangeRotateTheShape() throws Exception {
        a.sql("CREATE TABLE rot (id int PRIMARY KEY, v text)", "INSERT INTO rot VALUES (1, 'a')");
        String h1 = a.shape(params("table", "rot", "offset", "-1")).headers().firstValue("electric-handle").orElseThrow();
        HttpResponse<String> del = a.send("DELETE", params("handle", h1));
        assertEquals(202, del.statusCode());
        assertEquals(404, a.send("DELETE", params("handle", h1)).statusCode());
        HttpResponse<String> gone = a.shape(params("table", "rot", "offset", "0_inf", "handle", h1));
        assertEquals(409, gone.statusCode());
        String h2 = gone.headers().firstValue("electric-handle").orElseThrow();
        assertNotEquals(h1, h2);

        // A live request waiting on the shape gets a 409 when the table is truncated.
        a.shape(params("table", "rot", "offset", "-1"));
        CompletableFuture<HttpResponse<String>> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return a.shape(params("table", "rot", "offset", "0_inf", "handle", h2, "live", "true"));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        a.sql("TRUNCATE rot");
        HttpResponse<String> rotated = waiting.get();
        // The wait may end by timeout before the truncate arrives; then the next request must see the rotation.
        if (rotated.statusCode() == 200) rotated = a.shape(params("table", "rot", "offset", "0_inf", "handle", h2, "live", "true"));
        assertEquals(409, rotated.statusCode(), rotated.body());
        String h3 = a.shape(params("table", "rot", "offset", "-1")).headers().firstValue("electric-handle").orElseThrow();
        assertNotEquals(h2, h3);

        a.sql("ALTER TABLE rot ADD COLUMN extra int", "INSERT INTO rot VALUES (2, 'b', 3)");
        HttpResponse<String> afterAlter = a.shape(params("table", "rot", "offset", "0_inf", "handle", h3, "live", "true"));
        if (afterAlter.statusCode() == 200) afterAlter = a.shape(params("table", "rot", "offset", "0_inf", "handle", h3, "live", "true"));
        assertEquals(409, afterAlter.statusCode(), afterAlter.body());
        // The shape is rebuilt from the table as it is now: the new column is in its schema and its rows.
        HttpResponse<String> rebuilt = a.shape(params("table", "rot", "offset", "-1"));
        assertEquals(200, rebuilt.statusCode(), rebuilt.body());
        assertTrue(rebuilt.headers().firstValue("electric-schema").orElseThrow().contains("\"extra\""));
        assertTrue(rebuilt.body().contains("\"extra\":\"3\""), rebuilt.body());
    }

    @Test
    void liveLongPollTimesOutWithAnUpToDateAndACursor() throws Exception {
        HttpResponse<String> first = a.shape(params("table", "other", "offset", "-1"));
        String handle = first.headers().firstValue("electric-handle").orElseThrow();
        HttpResponse<String> live = a.shape(params("table", "other", "offset", "0_inf", "handle", handle, "live", "true"));
        assertEquals(200, live.statusCode());
        assertTrue(live.body().matches("\\[\\{\"headers\":\\{\"control\":\"up-to-date\",\"global_last_seen_lsn\":\"\\d+\"}}]"), live.body());
        assertEquals("false", live.headers().firstValue("electric-has-data").orElseThrow());
        assertTrue(live.headers().firstValue("electric-cursor").isPresent());
        assertEquals("public, max-age=5, stale-while-revalidate=5", live.headers().firstValue("cache-control").orElseThrow());
    }

    @Test
    void offsetBeyondTheShapeIsOutOfBoundsAfterAGracePeriod() throws Exception {
        String handle = a.shape(params("table", "items", "offset", "-1")).headers().firstValue("electric-handle").orElseThrow();
        assert400(params("table", "items", "offset", "999999999999_0", "handle", handle),
                errors("offset", "out of bounds for this shape"));
    }

    @Test
    void aShapeReachedOnlyByALaterFragmentOfABigTransactionGetsItsRows() throws Exception {
        a.sql("CREATE TABLE bulk (id int PRIMARY KEY, v text)");
        HttpResponse<String> first = a.shape(params("table", "bulk", "offset", "-1", "where", "id > 1900"));
        String handle = first.headers().firstValue("electric-handle").orElseThrow();
        // 2,000 rows in one transaction: the assembler cuts it into fragments of 500, and only the last reaches the shape.
        a.sql("INSERT INTO bulk SELECT g, 'v' || g FROM generate_series(1, 2000) g");
        HttpResponse<String> live = a.shape(params("table", "bulk", "offset", "0_inf", "handle", handle,
                "where", "id > 1900", "live", "true"));
        String body = live.body();
        if (!body.contains("\"last\":true")) {
            live = a.shape(params("table", "bulk", "offset", "0_inf", "handle", handle, "where", "id > 1900", "live", "true"));
            body = live.body();
        }
        assertEquals(100, body.split("\"operation\":\"insert\"", -1).length - 1, body);
        assertEquals(1, body.split("\"last\":true", -1).length - 1, "one last marker per transaction");
        assertTrue(body.contains("\"v\":\"v2000\""));
        assertFalse(body.contains("\"v\":\"v1900\""));
    }

    @Test
    void hugeSnapshotChunkNumbersAreNotAnError() throws Exception {
        String handle = a.shape(params("table", "items", "offset", "-1")).headers().firstValue("electric-handle").orElseThrow();
        for (String offset : new String[]{"0_2147483647", "0_4294967296", "0_9223372036854775806"}) {
            HttpResponse<String> r = a.shape(params("table", "items", "offset", offset, "handle", handle));
            assertEquals(200, r.statusCode(), offset + ": " + r.body());
        }
    }

    @Test
    void offsetNowAndETagRevalidation() throws Exception {
        HttpResponse<String> now = a.shape(params("table", "items", "offset", "now"));
        assertEquals(200, now.statusCode());
        assertEquals("false", now.headers().firstValue("electric-has-data").orElseThrow());
        assertTrue(now.body().contains("up-to-date"));

        HttpResponse<String> first = a.shape(params("table", "items", "offset", "-1"));
        String etag = first.headers().firstValue("etag").orElseThrow();
        HttpResponse<String> again = a.shape(params("table", "items", "offset", "-1"), "if-none-match", etag);
        assertEquals(304, again.statusCode());
        assertEquals("", again.body());
    }

    @Test
    void optionsIsAPreflight() throws Exception {
        HttpResponse<String> r = a.send("OPTIONS", params(), "origin", "https://app.example",
                "access-control-request-headers", "if-none-match, x-other");
        assertEquals(204, r.statusCode());
        assertEquals("86400", r.headers().firstValue("access-control-max-age").orElseThrow());
        assertEquals("if-none-match", r.headers().firstValue("access-control-allow-headers").orElseThrow());
        assertEquals("https://app.example", r.headers().firstValue("access-control-allow-origin").orElseThrow());
    }

    @Test
    void secretAndDisabledDelete() throws Exception {
        try (RunningAmpere locked = new RunningAmpere("ELECTRIC_SECRET", "s3cret", "ELECTRIC_INSECURE", "")) {
            locked.sql("CREATE TABLE t (id int PRIMARY KEY)");
            HttpResponse<String> denied = locked.shape(params("table", "t", "offset", "-1"));
            assertEquals(401, denied.statusCode());
            assertEquals("{\"message\":\"Unauthorized - Invalid API secret\"}", denied.body());
            assertEquals(200, locked.shape(params("table", "t", "offset", "-1", "secret", "s3cret")).statusCode());
            assertEquals(200, locked.shape(params("table", "t", "offset", "-1", "api_secret", "s3cret")).statusCode());
            HttpResponse<String> delete = locked.send("DELETE", params("table", "t", "secret", "s3cret"));
            assertEquals(405, delete.statusCode());
            assertEquals("{\"message\":\"DELETE not allowed\"}", delete.body());
        }
    }
}
