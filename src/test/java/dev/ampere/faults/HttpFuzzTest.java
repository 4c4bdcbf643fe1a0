package dev.ampere.faults;

import dev.ampere.testing.RunningAmpere;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A bounded fuzz of the HTTP API over raw sockets (so nothing is normalised on the way): hostile shape parameters,
 * methods, paths, encodings, protocol versions and headers, bytes sent slowly, and requests left half-sent. Every
 * complete request must be answered within 10 s without a 5xx; half-sent ones must not stop the server answering
 * others; and the server must serve a shape afterwards. The random part is seeded, so a failure repeats; the
 * counts per category are printed.
 */
class HttpFuzzTest {
    private static final long SEED = 10_007;
    private static final int RANDOM_CASES = 400;
    private static RunningAmpere a;
    private static int port;

    private final Map<String, int[]> counts = new LinkedHashMap<>(); // category -> {cases, answered, closed}
    private final List<String> failures = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        a = new RunningAmpere();
        a.sql("CREATE TABLE items (id int PRIMARY KEY, title text, n int)",
                "INSERT INTO items SELECT g, 'item ' || g, g FROM generate_series(1, 50) g");
        port = a.ampere.httpPort();
    }

    @AfterAll
    static void stop() throws Exception {
        if (a != null) a.close();
    }

    @Test
    void hostileRequestsGetNo5xxNoHangAndTheServerStaysLive() throws Exception {
        for (String q : hostileQueries()) request("parameters", "GET /v1/shape?" + q + " HTTP/1.1\r\nHost: x\r\n\r\n");
        Random r = new Random(SEED);
        for (int i = 0; i < RANDOM_CASES; i++) request("random parameters", "GET /v1/shape?" + randomQuery(r)
                + " HTTP/1.1\r\nHost: x\r\n\r\n");
        for (String m : List.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "get", "FOO",
                "G(T", "GET\0", "\0", "GE T", "X".repeat(5000))) {
            request("methods", m + " /v1/shape?table=items&offset=-1 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
        }
        for (String path : List.of("/", "/v1/health", "/v1/shape", "/v1/shape/", "//v1/shape?table=items&offset=-1",
                "/v1/shape/../health", "/v1/%2e%2e/shape", "/nope", "/v1/shape?" + "a".repeat(9000),
                "/" + "x/".repeat(3000), "*", "http://x/v1/shape?table=items&offset=-1", "/v1/shape#frag",
                "/v1/shape?table=items&offset=-1#x")) {
            request("paths", "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
        }
        for (String raw : List.of("GET /v1/shape?table=items&offset=-1 HTTP/1.0\r\n\r\n",
                "GET /v1/shape?table=items&offset=-1 HTTP/2.0\r\nHost: x\r\n\r\n",
                "GET /v1/shape?table=items&offset=-1 HTTP/9.9\r\nHost: x\r\n\r\n",
                "GET /v1/shape?table=items&offset=-1\r\nHost: x\r\n\r\n",
                "GET /v1/shape?table=items&offset=-1 HTTP/1.1\nHost: x\n\n",
                "GET /v1/shape?table=items&offset=-1 HTTP/1.1\r\nHost: x\r\nX-Big: " + "h".repeat(20000) + "\r\n\r\n",
                "GET /v1/shape?table=items&offset=-1 HTTP/1.1\r\nHost: x\r\n" + "X-A: b\r\n".repeat(500) + "\r\n",
                "GET /v1/shape?table=items&offset=-1 HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
                "GET /v1/shape?table=items&offset=-1 HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
                "POST /v1/shape?table=items&offset=-1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                "GET /v1/shape?table=items&offset=-1 HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n",
                "GET /v1/shape?table=items&offset=-1 HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
                "GET /v1/shape?table=items&offset=-1 HTTP/1.1\r\nHost: x\r\nIf-None-Match: " + "\"".repeat(100) + "\r\n\r\n",
                "GET /v1/shape?table=items&offset=-1 HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip;q=\0\r\n\r\n",
                "GET /v1/shape?table=items&offset=-1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \u00ff\u00fe\r\n\r\n")) {
            request("protocol and headers", raw);
        }
        for (String raw : List.of("GET /v1/shape?table=it%C3%A9ms&offset=-1", "GET /v1/shape?table=%FF%FE&offset=-1",
                "GET /v1/shape?table=%C0%AFitems&offset=-1", "GET /v1/shape?table=items&offset=%", 
                "GET /v1/shape?table=items&offset=%zz", "GET /v1/shape?table=items&where=%00",
                "GET /v1/shape?table=ite\u00e9ms&offset=-1", "GET /v1/shape?table=items&where=title%20=%20'\u2603'&offset=-1",
                "GET /v1/shape?table=items&offset=-1&where=id+%3D+1", "GET /v1/shape?table=[items]&offset=-1",
                "GET /v1/shape?table=\"items\"&offset=-1", "GET /v1/shape?table=items&offset=-1&columns=\"id\",\"",
                "GET /v1/shape?%%%%=%%%%", "GET /v1/shape?&&&&=&=&", "GET /v1/shape?table=items&table=other&offset=-1")) {
            request("encodings", raw + " HTTP/1.1\r\nHost: x\r\n\r\n");
        }
        slowRequests();
        halfSentRequests();

        HttpResponseCheck after = new HttpResponseCheck(send("GET /v1/shape?table=items&offset=-1 HTTP/1.1\r\nHost: x\r\n"
                + "Connection: close\r\n\r\n", 0));
        assertEquals(200, after.status, "the server does not serve a shape after the fuzz");
        StringBuilder report = new StringBuilder("fault suite: HTTP fuzz (seed " + SEED + "):");
        int total = 0;
        for (var e : counts.entrySet()) {
            report.append(String.format("%n  %-22s %4d cases, %4d answered, %3d closed without an answer",
                    e.getKey(), e.getValue()[0], e.getValue()[1], e.getValue()[2]));
            total += e.getValue()[0];
        }
        report.append(String.format("%n  %d cases in all, %d failures", total, failures.size()));
        System.out.println(report);
        assertTrue(failures.isEmpty(), failures.size() + " failures:\n" + String.join("\n", failures));
    }

    private static List<String> hostileQueries() {
        List<String> q = new ArrayList<>();
        String[] wheres = {"1=1; DROP TABLE items", "pg_sleep(10) IS NULL", "id = 1 OR pg_sleep(5) IS NULL",
                "(" .repeat(5000) + "true" + ")".repeat(5000), "title = '" + "x".repeat(20000) + "'",
                "id IN (" + "1,".repeat(3000) + "1)", "title ~ '(a+)+$'", "title LIKE '%a%a%a%a%a%a%a%b'",
                "id = $1", "id = $99999999999", "nosuch = 1", "id = 'x'", "id / 0 = 1", "'", "\"", "--",
                "/* */ true", "title = E'\\\\x00'", "id::text::int::text = '1'", "current_user = 'postgres'",
                "id = (SELECT 1)", "EXISTS (SELECT 1)", "id = 1e999999", "NOT NOT NOT true", "title COLLATE \"C\" = 'a'"};
        for (String w : wheres) q.add("table=items&offset=-1&where=" + enc(w));
        String[] tables = {"", "pg_catalog.pg_class", "information_schema.tables", "nosuch", "public.", ".items",
                "\"items", "items\"", "a.b.c", "items%00", "\"it\"\"ems\"", "x".repeat(1000), "public.items;",
                "items'--", "ITEMS", "\"ITEMS\""};
        for (String t : tables) q.add("table=" + enc(t) + "&offset=-1");
        String[] offsets = {"", "-2", "0_-1", "99999999999999999999_0", "abc", "0_inf", "now", "-1_0", "1_1_1",
                "0_99999999999999999999", "18446744073709551615_0"};
        for (String o : offsets) q.add("table=items&offset=" + enc(o));
        String[] other = {"handle=" + "h".repeat(5000), "handle=../../etc", "live=maybe", "live=true",
                "replica=foo", "replica=full", "columns=", "columns=nosuch", "columns=id,id", "columns=" + enc("\"id"),
                "params[1]=x", "params[0]=x", "params[999999999999]=x", "params=x", "params[1]=%00", "cursor=-1",
                "cursor=" + "9".repeat(50), "log=changes_only", "log=nonsense", "subset__limit=-1",
                "subset__order_by=" + enc("pg_sleep(1)"), "experimental_live_sse=true", "secret=x", "api_secret=x"};
        for (String o : other) q.add("table=items&offset=-1&" + o);
        return q;
    }

    private static String randomQuery(Random r) {
        String[] names = {"table", "offset", "where", "handle", "live", "columns", "replica", "params[1]", "cursor",
                "log", "x", "", "params[2]", "table"};
        String[] values = {"items", "-1", "0_inf", "now", "true", "id > 1", "'", "%", "\u0000", "\u00e9",
                "\ud83d\ude00", "id", "full", "", "0_0", "1", "x".repeat(r.nextInt(3000))};
        StringBuilder b = new StringBuilder();
        int n = 1 + r.nextInt(6);
        for (int i = 0; i < n; i++) {
            if (i > 0) b.append('&');
            String name = names[r.nextInt(names.length)];
            String value = r.nextInt(4) == 0 ? randomBytes(r) : values[r.nextInt(values.length)];
            b.append(r.nextBoolean() ? enc(name) : name).append('=').append(r.nextInt(3) == 0 ? rawSafe(value) : enc(value));
        }
        return b.toString();
    }

    /** Random printable-or-not characters, percent-encoded byte by byte (some invalid UTF-8). */
    private static String randomBytes(Random r) {
        StringBuilder b = new StringBuilder();
        int n = r.nextInt(40);
        for (int i = 0; i < n; i++) b.append('%').append(String.format("%02X", r.nextInt(256)));
        return b.toString();
    }

    /** A value sent as is, except for what would end the request line. */
    private static String rawSafe(String v) {
        return v.replace(" ", "%20").replace("\r", "%0D").replace("\n", "%0A").replace("#", "%23");
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** One complete request on its own connection: answered in 10 s without a 5xx, or closed. */
    private void request(String category, String raw) {
        int[] c = counts.computeIfAbsent(category, k -> new int[3]);
        c[0]++;
        try {
            byte[] reply = send(raw, 0);
            if (reply.length == 0) {
                c[2]++;
                return;
            }
            HttpResponseCheck check = new HttpResponseCheck(reply);
            c[1]++;
            if (check.status >= 500 || check.status < 100) {
                failures.add(check.status + " for " + shorten(raw));
            }
        } catch (SocketTimeoutException e) {
            failures.add("no answer within 10 s for " + shorten(raw));
        } catch (IOException e) {
            c[2]++; // reset by the server: a refusal, not a hang
        }
    }

    /** Requests sent a few bytes at a time with pauses: they must still be answered. */
    private void slowRequests() {
        for (int i = 0; i < 3; i++) {
            int[] c = counts.computeIfAbsent("slow", k -> new int[3]);
            c[0]++;
            try {
                byte[] reply = send("GET /v1/shape?table=items&offset=-1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                        20 + 10 * i);
                HttpResponseCheck check = new HttpResponseCheck(reply);
                c[1]++;
                if (check.status != 200) failures.add("slow request answered " + check.status);
            } catch (IOException e) {
                failures.add("slow request failed: " + e);
            }
        }
    }

    /** Connections left with half a request while the server keeps answering others promptly. */
    private void halfSentRequests() throws Exception {
        List<Socket> held = new ArrayList<>();
        int[] c = counts.computeIfAbsent("half-sent", k -> new int[3]);
        try {
            String[] partial = {"GET /v1/sha", "GET /v1/shape?table=items&offset=-1 HTTP/1.1\r\nHost: x\r\n",
                    "POST /v1/shape?table=items HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc", "G"};
            for (int i = 0; i < 40; i++) {
                Socket s = new Socket("localhost", port);
                s.getOutputStream().write(partial[i % partial.length].getBytes(StandardCharsets.ISO_8859_1));
                s.getOutputStream().flush();
                held.add(s);
                c[0]++;
            }
            for (int i = 0; i < 5; i++) {
                long start = System.nanoTime();
                HttpResponseCheck health = new HttpResponseCheck(send("GET /v1/health HTTP/1.1\r\nHost: x\r\n"
                        + "Connection: close\r\n\r\n", 0));
                long ms = (System.nanoTime() - start) / 1_000_000;
                if (health.status != 200 || ms > 2000) {
                    failures.add("with 40 half-sent requests held, health answered " + health.status + " in " + ms + " ms");
                }
            }
        } finally {
            for (Socket s : held) s.close();
        }
    }

    private static byte[] send(String raw, int pauseMillis) throws IOException {
        try (Socket s = new Socket("localhost", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            byte[] bytes = raw.getBytes(StandardCharsets.UTF_8);
            if (pauseMillis == 0) {
                out.write(bytes);
            } else {
                for (int i = 0; i < bytes.length; i += 7) {
                    out.write(bytes, i, Math.min(7, bytes.length - i));
                    out.flush();
                    try {
                        Thread.sleep(pauseMillis); // the point of the case: a slow client
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException(e);
                    }
                }
            }
            out.flush();
            return readHead(s.getInputStream());
        }
    }

    /** Reads up to the end of the response head (or what came before the server closed). */
    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int matched = 0;
        int ch;
        while ((ch = in.read()) >= 0) {
            b.write(ch);
            matched = (ch == '\r' && matched % 2 == 0) || (ch == '\n' && matched % 2 == 1) ? matched + 1 : 0;
            if (matched == 4 || b.size() > 65536) break;
        }
        return b.toByteArray();
    }

    private static String shorten(String raw) {
        String s = raw.replace("\r", "\\r").replace("\n", "\\n").replace("\0", "\\0");
        return s.length() > 200 ? s.substring(0, 200) + "... (" + s.length() + " chars)" : s;
    }

    private static final class HttpResponseCheck {
        final int status;

        HttpResponseCheck(byte[] head) {
            String text = new String(head, StandardCharsets.ISO_8859_1);
            int sp = text.indexOf(' ');
            int status;
            try {
                status = sp > 0 && text.length() >= sp + 4 ? Integer.parseInt(text.substring(sp + 1, sp + 4)) : -1;
            } catch (NumberFormatException e) {
                status = -1;
            }
            this.status = status;
        }
    }
}
