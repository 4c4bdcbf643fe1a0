package dev.ampere.shapecache;

import dev.ampere.testing.RunningAmpere;
import dev.ampere.testing.StoredShapes;
import dev.ampere.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

import static dev.ampere.testing.RunningAmpere.params;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Publication clean-up on real Postgres (docs/protocol.md §3.5): a table leaves the publication once no shape uses
 * it, one shared by two shapes stays until both are gone, and a table that left comes back, with its changes, for
 * the next shape on it.
 */
class PublicationCleanupIntegrationTest {

    private static Set<String> published(RunningAmpere a) throws Exception {
        Set<String> out = new TreeSet<>();
        try (Connection c = TestDatabase.connect(a.database); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT tablename FROM pg_publication_tables WHERE pubname = "
                     + "'electric_publication_" + a.streamId + "'")) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }

    private static void await(RunningAmpere a, Predicate<Set<String>> condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.test(published(a))) {
            assertTrue(System.nanoTime() < deadline, what + "; published: " + published(a));
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // polls an observed state, not a guess
        }
    }

    private static String create(RunningAmpere a, String table, String where) throws Exception {
        HttpResponse<String> r = a.shape(params("table", table, "offset", "-1", "where", where));
        assertEquals(200, r.statusCode(), r.body());
        return r.headers().firstValue("electric-handle").orElseThrow();
    }

    private static void delete(RunningAmpere a, String handle) throws Exception {
        assertEquals(202, a.send("DELETE", params("handle", handle)).statusCode());
    }

    /** The shape's storage is gone: its processes have stopped, so the ShapeCache no longer counts its table. */
    private static void awaitGone(RunningAmpere a, String handle) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            if (!StoredShapes.present(a.ampere.stack().config().storageDir(), handle)) return;
            assertTrue(System.nanoTime() < deadline, "shape " + handle + " was never removed");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    @Test
    void aTableLeavesThePublicationWithItsLastShape() throws Exception {
        try (RunningAmpere a = new RunningAmpere("ELECTRIC_ENABLE_INTEGRATION_TESTING", "true")) {
            a.sql("CREATE TABLE shared (id int PRIMARY KEY, n int)", "CREATE TABLE alone (id int PRIMARY KEY, n int)",
                    "INSERT INTO shared VALUES (1, 1), (2, 2)", "INSERT INTO alone VALUES (1, 1)");
            String s1 = create(a, "shared", "n = 1");
            String s2 = create(a, "shared", "n = 2");
            String s3 = create(a, "alone", "n = 1");
            assertEquals(Set.of("alone", "shared"), published(a));

            delete(a, s1);
            awaitGone(a, s1);
            delete(a, s3);
            // The pass that takes `alone` out runs after both removals: `shared` still has s2.
            await(a, p -> !p.contains("alone"), "the unused table never left the publication");
            assertEquals(Set.of("shared"), published(a));

            delete(a, s2);
            await(a, Set::isEmpty, "the table left by its last shape never left the publication");

            // The next shape on it puts it back, and follows its changes.
            String s4 = create(a, "shared", "n > 0");
            assertEquals(Set.of("shared"), published(a));
            HttpResponse<String> caughtUp = a.shape(params("table", "shared", "where", "n > 0", "handle", s4,
                    "offset", "0_inf"));
            String offset = caughtUp.headers().firstValue("electric-offset").orElseThrow();
            a.sql("INSERT INTO shared VALUES (3, 3)");
            HttpResponse<String> live = a.shape(params("table", "shared", "where", "n > 0", "handle", s4,
                    "offset", offset, "live", "true"));
            assertEquals(200, live.statusCode(), live.body());
            assertTrue(live.body().contains("\"id\":\"3\""), live.body());
        }
    }
}
