package dev.ampere.faults;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A minimal Shape API client for the fault suite, as the official clients behave (docs/protocol.md §1): it
 * follows one shape from {@code offset=-1}, keeps the handle and offset of each response, replays the log into rows
 * (insert, update merged into the row, delete), starts over on 409 must-refetch, and keeps every insert it saw so
 * that a test can check each row arrived exactly once. Public for the other suites' use (the sub-select oracle).
 *
 * <p>Not thread-safe: one test thread drives it.
 */
public final class ShapeClient {
    private static final JsonFactory JSON = new JsonFactory();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, String> shapeParams;
    private volatile String baseUrl;
    public String handle;
    public String offset = "-1";
    public boolean upToDate;
    /** Change messages (insert, update, delete) applied, over the client's life. */
    public long operations;
    /** The body of the last response that was not 200, 204 or 409. */
    public String lastError;
    /** Rows by their key, each a map of column to its JSON value text (null for SQL NULL). */
    public final Map<String, Map<String, String>> rows = new TreeMap<>();
    /** Every key inserted since the last refetch, in arrival order. */
    public final List<String> inserts = new ArrayList<>();
    public int refetches;
    public int unavailable;
    public int lastStatus;

    public ShapeClient(String baseUrl, String... params) {
        this.baseUrl = baseUrl;
        this.shapeParams = new LinkedHashMap<>();
        for (int i = 0; i < params.length; i += 2) shapeParams.put(params[i], params[i + 1]);
    }

    public void baseUrl(String url) {
        baseUrl = url;
    }

    /** One request; returns its status. 200 and 204 advance the client; 409 resets it; others leave it as it was. */
    public int poll(boolean live) throws IOException, InterruptedException {
        Map<String, String> q = new LinkedHashMap<>(shapeParams);
        q.put("offset", offset);
        if (handle != null) q.put("handle", handle);
        if (live) q.put("live", "true");
        StringBuilder url = new StringBuilder(baseUrl).append("/v1/shape?");
        q.forEach((k, v) -> url.append(enc(k)).append('=').append(enc(v)).append('&'));
        HttpRequest req = HttpRequest.newBuilder(URI.create(url.substring(0, url.length() - 1)))
                .timeout(Duration.ofSeconds(60)).GET().build();
        HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        lastStatus = r.statusCode();
        switch (r.statusCode()) {
            case 200, 204 -> {
                handle = r.headers().firstValue("electric-handle").orElse(handle);
                offset = r.headers().firstValue("electric-offset").orElse(offset);
                upToDate = r.headers().firstValue("electric-up-to-date").isPresent();
                if (r.statusCode() == 200) apply(r.body());
            }
            case 503 -> {
                unavailable++;
                if (r.headers().firstValue("retry-after").isEmpty()) {
                    throw new AssertionError("503 without retry-after: " + new String(r.body(), StandardCharsets.UTF_8));
                }
            }
            case 409 -> {
                refetches++;
                handle = r.headers().firstValue("electric-handle").orElse(null);
                offset = "-1";
                upToDate = false;
                rows.clear();
                inserts.clear();
            }
            default -> lastError = new String(r.body(), StandardCharsets.UTF_8);
        }
        return r.statusCode();
    }

    /**
     * Non-live requests until the shape is up to date; fails on any status but 200, 204, 409 and 503 (with
     * retry-after, after which it waits a little: a test client need not wait the whole advice).
     */
    public void catchUp(Duration within) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        upToDate = false;
        while (!upToDate) {
            if (System.nanoTime() > deadline) throw new AssertionError("the shape did not catch up in " + within);
            int s = poll(false);
            if (s == 503) Thread.sleep(200);
            else if (s != 200 && s != 204 && s != 409) {
                throw new AssertionError("GET /v1/shape answered " + s + " while catching up");
            }
        }
    }

    /** Values of one column across the rows, by key. */
    public Map<String, String> column(String name) {
        Map<String, String> out = new TreeMap<>();
        rows.forEach((k, row) -> out.put(k, row.get(name)));
        return out;
    }

    private void apply(byte[] body) throws IOException {
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_ARRAY) throw new AssertionError("body is not an array");
            while (p.nextToken() == JsonToken.START_OBJECT) {
                String operation = null;
                String control = null;
                String key = null;
                Map<String, String> value = null;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    p.nextToken();
                    switch (field) {
                        case "headers" -> {
                            Map<String, String> h = readFlat(p);
                            operation = h.get("operation");
                            control = h.get("control");
                        }
                        case "key" -> key = p.getText();
                        case "value" -> value = readFlat(p);
                        default -> p.skipChildren();
                    }
                }
                if (control != null) {
                    if (control.equals("must-refetch")) {
                        rows.clear();
                        inserts.clear();
                    }
                    continue;
                }
                if (operation == null || key == null) continue;
                operations++;
                switch (operation) {
                    case "insert" -> {
                        rows.put(key, new HashMap<>(value));
                        inserts.add(key);
                    }
                    case "update" -> rows.computeIfAbsent(key, k -> new HashMap<>()).putAll(value);
                    case "delete" -> rows.remove(key);
                    default -> throw new AssertionError("unknown operation " + operation);
                }
            }
        }
    }

    /** An object of scalars (nested values as their JSON text is not needed here: skipped). */
    private static Map<String, String> readFlat(JsonParser p) throws IOException {
        Map<String, String> out = new HashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                p.skipChildren();
                out.put(name, "<nested>");
            } else {
                out.put(name, t == JsonToken.VALUE_NULL ? null : p.getText());
            }
        }
        return out;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
