package dev.ampere.http;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.*;

/** Accept-Encoding as RFC 9110 §12.5.3 reads it, the gzip ETag variant, and compression round trips. */
class GzipTest {
    @Test
    void gzipIsAcceptedWhenListedOrCoveredByAStarWithAPositiveQuality() {
        for (String ae : List.of("gzip", "GZip", "x-gzip", "gzip, deflate, br", "br;q=1.0, gzip;q=0.1", "*",
                "identity, *;q=0.5", " gzip ; q=1 ", "gzip;q=0, gzip;q=0.5")) {
            assertTrue(Gzip.accepted(List.of(ae)), ae);
        }
        for (String ae : List.of("", "identity", "br", "deflate, br", "gzip;q=0", "gzip;q=0.000", "*;q=0",
                "*, gzip;q=0", "gzip;q=bogus", "gzip;q=2")) {
            assertFalse(Gzip.accepted(List.of(ae)), ae);
        }
        assertFalse(Gzip.accepted(List.of()), "no header: identity");
        assertTrue(Gzip.accepted(List.of("br", "gzip")), "codings over several header lines");
    }

    @Test
    void theGzipVariantOfAnETagIsAnotherStrongTagThatMatchesBothWays() {
        String tag = "\"h-1:-1:0_0\"";
        String gz = ETag.gzipVariant(tag);
        assertEquals("\"h-1:-1:0_0:gzip\"", gz);
        assertEquals(gz, ETag.gzipVariant(gz), "idempotent");
        assertEquals("h-1:-1:0_0", ETag.matching(List.of(tag), "h-1:-1:0_0"));
        assertEquals("h-1:-1:0_0:gzip", ETag.matching(List.of(gz), "h-1:-1:0_0"));
        assertEquals("h-1:-1:0_0:gzip", ETag.matching(List.of("W/" + gz), "h-1:-1:0_0"));
        assertNull(ETag.matching(List.of("\"h-1:-1:0_1:gzip\""), "h-1:-1:0_0"));
    }

    @Test
    void compressedBytesDecompressToTheOriginal() throws Exception {
        byte[] json = "[{\"key\":\"\\\"public\\\".\\\"t\\\"/\\\"1\\\"\"}]".repeat(500).getBytes(StandardCharsets.UTF_8);
        byte[] gz = Gzip.compress(json, 0, json.length);
        assertTrue(gz.length < json.length / 20, gz.length + " bytes");
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            assertArrayEquals(json, in.readAllBytes());
        }
    }
}
