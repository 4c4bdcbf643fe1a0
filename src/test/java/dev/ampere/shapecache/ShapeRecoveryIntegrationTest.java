package dev.ampere.shapecache;

import dev.ampere.Ampere;
import dev.ampere.config.Config;
import dev.ampere.stack.StackEvent;
import dev.ampere.stack.StackStatus;
import dev.ampere.testing.EventLog;
import dev.ampere.testing.TestConfig;
import dev.ampere.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A restarted Ampere recovers its shapes from disk: same handle, same offsets, and the changes made while it was down
 * arrive exactly once.
 */
class ShapeRecoveryIntegrationTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path storage;

    private HttpResponse<String> get(Ampere a, String query) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + a.httpPort() + "/v1/shape?" + query)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static Ampere ready(Config c) throws Exception {
        Ampere a = Ampere.start(c);
        try (EventLog log = new EventLog(a.stack().events())) {
            if (a.stack().events().status() != StackStatus.ACTIVE) log.await(StackEvent.Ready.class, 60);
        }
        return a;
    }

    private static int count(String body, String needle) {
        Matcher m = Pattern.compile(Pattern.quote(needle)).matcher(body);
        int n = 0;
        while (m.find()) n++;
        return n;
    }

    @Test
    void shapesSurviveARestartAndMissNothing() throws Exception {
        String db = TestDatabase.createDatabase();
        String stream = TestConfig.newStreamId();
        Config config = TestConfig.config(TestDatabase.databaseUrl(db), stream, storage);
        try (Connection c = TestDatabase.connect(db); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE items (id int PRIMARY KEY, title text)");
            s.execute("INSERT INTO items VALUES (1, 'one')");

            String handle;
            String offset;
            try (Ampere first = ready(config)) {
                HttpResponse<String> snap = get(first, "table=items&offset=-1");
                handle = snap.headers().firstValue("electric-handle").orElseThrow();
                s.execute("INSERT INTO items VALUES (2, 'two')");
                HttpResponse<String> live = get(first, "table=items&offset=0_inf&live=true&handle=" + handle);
                if (!live.body().contains("\"two\"")) live = get(first, "table=items&offset=0_inf&live=true&handle=" + handle);
                assertTrue(live.body().contains("\"two\""), live.body());
                offset = live.headers().firstValue("electric-offset").orElseThrow();
            }
            s.execute("INSERT INTO items VALUES (3, 'three')"); // while Ampere is down

            try (Ampere second = ready(config)) {
                HttpResponse<String> whole = get(second, "table=items&offset=0_inf&handle=" + handle);
                assertEquals(200, whole.statusCode(), whole.body());
                assertEquals(handle, whole.headers().firstValue("electric-handle").orElseThrow());
                HttpResponse<String> tail = get(second, "table=items&offset=" + offset + "&live=true&handle=" + handle);
                if (!tail.body().contains("\"three\"")) tail = get(second, "table=items&offset=" + offset + "&live=true&handle=" + handle);
                assertTrue(tail.body().contains("\"three\""), tail.body());
                HttpResponse<String> all = get(second, "table=items&offset=0_inf&handle=" + handle);
                assertEquals(1, count(all.body(), "\"title\":\"two\""), all.body());
                assertEquals(1, count(all.body(), "\"title\":\"three\""), all.body());
            }
        } finally {
            try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
                s.execute("SELECT pg_drop_replication_slot('electric_slot_" + stream + "')");
            }
        }
    }
}
