package dev.ampere.bench.e2e;

import java.util.Map;

/**
 * One HTTP response as the load tool saw it: status, headers (names lower-cased), the whole body (chunked transfer
 * encoding already removed) and the {@link System#nanoTime()} at which its last byte was read.
 */
record HttpResponse(int status, Map<String, String> headers, byte[] body, long completedNanos) {
    String header(String lowerCaseName) {
        return headers.get(lowerCaseName);
    }

    boolean has(String lowerCaseName) {
        return headers.containsKey(lowerCaseName);
    }
}
