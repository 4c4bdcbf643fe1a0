package dev.ampere.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * gzip content coding of shape responses (docs/protocol.md §1.16), with the JDK's {@code java.util.zip}: whether a
 * request accepts it, compressing, and marking a response as compressed. A gzip response is a different
 * representation of the same content, so it gets its own strong ETag ({@link ETag#gzipVariant}), and shape
 * responses say {@code Vary: Accept-Encoding} so that a cache keeps the two apart.
 *
 * <p>Stateless and thread-safe; each compression has its own {@link Deflater}, ended when it is done.
 */
final class Gzip {
    /** Bodies shorter than this go uncompressed: the gzip framing (18 bytes) and the CPU would buy nearly nothing. */
    static final int MIN_BYTES = 1024;
    /** zlib's default level: within a few per cent of level 9's size at about a third of its CPU. */
    static final int LEVEL = Deflater.DEFAULT_COMPRESSION;

    private Gzip() {}

    /**
     * Whether the request's {@code Accept-Encoding} accepts gzip (RFC 9110 §12.5.3): {@code gzip} or
     * {@code x-gzip}, or {@code *} when gzip is not listed, with a q-value above 0. No header accepts only
     * identity.
     */
    static boolean accepted(ServerRequest req) {
        return accepted(req.headers().all(HeaderNames.ACCEPT_ENCODING, List::of));
    }

    static boolean accepted(List<String> acceptEncoding) {
        Boolean gzip = null;
        boolean any = false;
        for (String header : acceptEncoding) {
            for (String part : header.split(",")) {
                String[] params = part.split(";");
                String coding = params[0].strip().toLowerCase(Locale.ROOT);
                boolean ok = quality(params) > 0;
                if (coding.equals("gzip") || coding.equals("x-gzip")) gzip = gzip == null ? ok : gzip || ok;
                else if (coding.equals("*")) any = ok;
            }
        }
        return gzip != null ? gzip : any;
    }

    /** The {@code q} parameter; 1 when absent; 0 when malformed (a client that garbles it gets identity). */
    private static double quality(String[] params) {
        for (int i = 1; i < params.length; i++) {
            String p = params[i].strip();
            if (p.length() >= 2 && (p.charAt(0) == 'q' || p.charAt(0) == 'Q') && p.charAt(1) == '=') {
                try {
                    double q = Double.parseDouble(p.substring(2).strip());
                    return q >= 0 && q <= 1 ? q : 0;
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 1;
    }

    /** {@code len} bytes of {@code b}, gzip-compressed. */
    static byte[] compress(byte[] b, int off, int len) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, len / 4));
        try (OutputStream gz = compressing(out)) {
            gz.write(b, off, len);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return out.toByteArray();
    }

    /** A stream that gzip-compresses into {@code out}; closing it finishes the gzip member and closes {@code out}. */
    static OutputStream compressing(OutputStream out) throws IOException {
        return new GZIPOutputStream(out, 64 * 1024) {
            {
                def.setLevel(LEVEL);
            }
        };
    }

    /**
     * A stream that gzip-compresses into {@code out} as a body is streamed: {@code flush()} sync-flushes (everything
     * written so far can be decompressed by the client now); closing it finishes the gzip member and closes
     * {@code out}.
     */
    static OutputStream streaming(OutputStream out) throws IOException {
        return new GZIPOutputStream(out, 16 * 1024, true) {
            {
                def.setLevel(LEVEL);
            }
        };
    }

    /** Marks a response whose body is gzip: {@code Content-Encoding} and the gzip variant of its ETag. */
    static void markEncoded(ServerResponse res) {
        res.header(HeaderNames.CONTENT_ENCODING, "gzip");
        res.headers().first(HeaderNames.ETAG).ifPresent(tag -> res.header(HeaderNames.ETAG, ETag.gzipVariant(tag)));
    }

    /** {@code Vary: Accept-Encoding}: the response's representation depends on the request's Accept-Encoding. */
    static void vary(ServerResponse res) {
        String existing = res.headers().first(HeaderNames.VARY).orElse(null); // CORS may have said origin
        if (existing == null) res.header(HeaderNames.VARY, "accept-encoding");
        else if (!existing.toLowerCase(Locale.ROOT).contains("accept-encoding")) {
            res.header(HeaderNames.VARY, existing + ", accept-encoding");
        }
    }
}
