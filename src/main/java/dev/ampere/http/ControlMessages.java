package dev.ampere.http;

/**
 * Control messages of the shape log body (docs/protocol.md §1.9, §1.11): the up-to-date message with
 * {@code global_last_seen_lsn} as a decimal string (LSNs are unsigned 64-bit), and the body of a response made of
 * that message alone (long-poll timeout, {@code offset=now}).
 *
 * <p>Stateless and thread-safe.
 */
public final class ControlMessages {
    private ControlMessages() {}

    /** {@code {"headers":{"control":"up-to-date","global_last_seen_lsn":"<lsn>"}}}; {@code lsn} read unsigned. */
    public static byte[] upToDate(long lsn) {
        String digits = Long.toUnsignedString(lsn);
        return JsonBodies.write(g -> {
            g.writeStartObject();
            g.writeObjectFieldStart("headers");
            g.writeStringField("control", "up-to-date");
            g.writeStringField("global_last_seen_lsn", digits);
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    /** {@code [<up-to-date>]}: a complete body holding only the up-to-date message. */
    public static byte[] upToDateBody(long lsn) {
        byte[] msg = upToDate(lsn);
        byte[] out = new byte[msg.length + 2];
        out[0] = '[';
        System.arraycopy(msg, 0, out, 1, msg.length);
        out[out.length - 1] = ']';
        return out;
    }
}
