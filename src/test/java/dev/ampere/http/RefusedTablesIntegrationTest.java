package dev.ampere.http;

import dev.ampere.testing.RunningAmpere;
import dev.ampere.testing.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.ampere.testing.RunningAmpere.params;
import static org.junit.jupiter.api.Assertions.*;

/**
 * What Postgres would refuse to publish or to name is the client's error, a 400 on {@code errors.table} with a
 * clear message, never a 5xx: system catalogs, views, partitioned and unlogged tables, NUL bytes in a name, and
 * (for an Ampere connected as a role that is not a superuser) tables the role may not read or would have to alter
 * without owning them.
 */
class RefusedTablesIntegrationTest {
    private static final AtomicInteger ROLES = new AtomicInteger();
    private static RunningAmpere a;

    @BeforeAll
    static void start() throws Exception {
        a = new RunningAmpere();
        a.sql("CREATE TABLE items (id int PRIMARY KEY, title text)", "CREATE VIEW items_view AS SELECT * FROM items",
                "CREATE UNLOGGED TABLE scratch (id int PRIMARY KEY)",
                "CREATE TABLE parts (id int PRIMARY KEY) PARTITION BY RANGE (id)",
                "CREATE TABLE parts_1 PARTITION OF parts FOR VALUES FROM (0) TO (10)");
    }

    @AfterAll
    static void stop() throws Exception {
        a.close();
    }

    private static String refused(RunningAmpere on, String table) throws Exception {
        HttpResponse<String> r = on.shape(params("table", table, "offset", "-1"));
        assertEquals(400, r.statusCode(), table + ": " + r.body());
        assertTrue(r.body().startsWith("{\"message\":\"Invalid request\",\"errors\":{\"table\":[\""), r.body());
        return r.body();
    }

    @Test
    void systemCatalogsAndOtherRelationsAreRefused() throws Exception {
        assertTrue(refused(a, "pg_catalog.pg_class").contains("Table \\\"pg_catalog.pg_class\\\" is a system catalog"));
        assertTrue(refused(a, "\"pg_catalog\".\"pg_type\"").contains("is a system catalog"));
        assertTrue(refused(a, "information_schema.sql_features").contains("is a system catalog"));
        assertTrue(refused(a, "items_view").contains("is a view"));
        assertTrue(refused(a, "scratch").contains("is unlogged"));
        assertTrue(refused(a, "parts").contains("is a partitioned table"));
        assertTrue(refused(a, "\"it\0ems\"").contains("invalid byte sequence for encoding \\\"UTF8\\\": 0x00"));
        assertTrue(refused(a, "public.\"a\0b\"").contains("0x00"));
        assertTrue(refused(a, "nope").contains("does not exist"));
        assertEquals(200, a.shape(params("table", "items", "offset", "-1")).statusCode());
        assertEquals(200, a.shape(params("table", "parts_1", "offset", "-1")).statusCode());
    }

    @Test
    void tablesTheRoleCannotReadOrPublishAreRefused() throws Exception {
        String role = "ampere_limited_" + ProcessHandle.current().pid() + "_" + ROLES.incrementAndGet();
        String db = TestDatabase.createDatabase();
        try (var c = TestDatabase.connect(db); var s = c.createStatement()) {
            s.execute("CREATE ROLE " + role + " LOGIN REPLICATION PASSWORD 'pw'");
            s.execute("GRANT CREATE ON DATABASE " + db + " TO " + role);
            s.execute("CREATE TABLE secret (id int PRIMARY KEY)");
            s.execute("CREATE TABLE readable (id int PRIMARY KEY)");
            s.execute("GRANT SELECT ON readable TO " + role);
            s.execute("CREATE TABLE prepared (id int PRIMARY KEY)");
            s.execute("GRANT SELECT ON prepared TO " + role);
            s.execute("ALTER TABLE prepared REPLICA IDENTITY FULL");
            s.execute("CREATE PUBLICATION someone_elses FOR TABLE prepared");
            s.execute("CREATE TABLE mine (id int PRIMARY KEY)");
            s.execute("ALTER TABLE mine OWNER TO " + role);
        }
        String url = "postgresql://" + role + ":pw@localhost:" + TestDatabase.server().port() + "/" + db + "?sslmode=disable";
        try (RunningAmpere limited = RunningAmpere.withDatabaseUrl(db, url)) {
            assertTrue(refused(limited, "secret").contains("Permission denied for table \\\"public.secret\\\": the database role may not read it"));
            assertTrue(refused(limited, "readable").contains("only its owner may do"));
            assertTrue(refused(limited, "prepared").contains("only its owner may do")); // in another publication
            limited.sql("ALTER PUBLICATION electric_publication_" + limited.streamId + " ADD TABLE prepared");
            assertEquals(200, limited.shape(params("table", "prepared", "offset", "-1")).statusCode());
            assertEquals(200, limited.shape(params("table", "mine", "offset", "-1")).statusCode());
        }
    }
}
