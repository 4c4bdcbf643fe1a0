package dev.ampere.http;

import java.math.BigInteger;
import java.time.Instant;
import java.util.random.RandomGenerator;

/**
 * The {@code electric-cursor} value of a live response (docs/protocol.md §1.9 rule 4, Electric's
 * {@code Plug.Utils.get_next_interval_timestamp}): the end of the current long-poll window, counted in seconds from
 * 2024-10-09T00:00:00Z, so that concurrent long-polls share one CDN cache key per window. When that is not past the
 * client's cursor, the client's cursor plus 1..3600 s at random, so a client never repeats a cache key.
 *
 * <p>Stateless and thread-safe; the clock and the random source are the caller's.
 */
public final class LongPollCursor {
    /** 2024-10-09T00:00:00Z. */
    public static final Instant EPOCH = Instant.parse("2024-10-09T00:00:00Z");

    private LongPollCursor() {}

    /**
     * @param now           the current time
     * @param timeoutMs     the long-poll timeout in ms; below one whole second the cursor is always {@code 0}
     * @param clientCursor  the raw {@code cursor} parameter or null; anything but an (optionally signed) integer
     *                      counts as 0
     * @param random        draws the 1..3600 s bump
     * @return the header value (decimal; arbitrary precision, as a client may echo anything)
     */
    public static String next(Instant now, long timeoutMs, String clientCursor, RandomGenerator random) {
        long windowSeconds = timeoutMs / 1000;
        if (windowSeconds == 0) return "0";
        // DateTime.diff(..., :second) truncates towards zero.
        long diff = now.getEpochSecond() - EPOCH.getEpochSecond();
        if (diff < 0 && now.getNano() > 0) diff++;
        BigInteger next = BigInteger.valueOf(Math.ceilDiv(diff, windowSeconds) * windowSeconds);
        BigInteger previous = parse(clientCursor);
        if (next.compareTo(previous) > 0) return next.toString();
        return previous.add(BigInteger.valueOf(random.nextInt(1, 3601))).toString();
    }

    private static BigInteger parse(String cursor) {
        if (cursor == null) return BigInteger.ZERO;
        int start = !cursor.isEmpty() && (cursor.charAt(0) == '+' || cursor.charAt(0) == '-') ? 1 : 0;
        if (start == cursor.length()) return BigInteger.ZERO;
        for (int i = start; i < cursor.length(); i++) {
            char c = cursor.charAt(i);
            if (c < '0' || c > '9') return BigInteger.ZERO;
        }
        return new BigInteger(cursor.charAt(0) == '+' ? cursor.substring(1) : cursor);
    }
}
