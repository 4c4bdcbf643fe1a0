package dev.ampere.http;

import dev.ampere.testing.RunningAmpere;
import dev.ampere.testing.SelfSignedCertificate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Deadlines over TLS (README.md, "HTTP/2 and TLS"): a connection that never completes its TLS handshake is closed
 * at the header timeout (2 s here), as a cleartext one that sends no request line; a connection whose handshake
 * completed is then timed as on cleartext, so a long-poll (4 s here) outlives the handshake's deadline, over h2 and
 * over HTTP/1.1.
 */
class TlsDeadlinesTest {
    private static final double HEADER_TIMEOUT = 2.0; // a cold TLS stack on a loaded machine takes its time
    private static final double SLACK = 1.4;
    private static SelfSignedCertificate certificate;
    private static RunningAmpere a;

    @BeforeAll
    static void start() throws Exception {
        certificate = SelfSignedCertificate.create();
        a = new RunningAmpere("AMPERE_HEADER_READ_TIMEOUT", "2s", "ELECTRIC_LONG_POLL_TIMEOUT", "4000",
                "AMPERE_TLS_CERTIFICATE_FILE", certificate.certificate().toString(),
                "AMPERE_TLS_KEY_FILE", certificate.key().toString());
        a.sql("CREATE TABLE items (id int PRIMARY KEY)");
    }

    @AfterAll
    static void stop() throws Exception {
        a.close();
    }

    @Test
    void aConnectionWithoutAHandshakeIsClosedAtTheHeaderTimeout() throws Exception {
        for (String sent : new String[]{"", "\u0016\u0003\u0001"}) { // nothing; the start of a ClientHello
            long start = System.nanoTime();
            try (RawHttp c = new RawHttp(a.ampere.httpPort())) {
                if (!sent.isEmpty()) c.send(sent);
                assertTrue(c.closedByServer(), "still open");
                double took = (System.nanoTime() - start) / 1e9;
                assertTrue(took >= HEADER_TIMEOUT - 0.1 && took < HEADER_TIMEOUT + SLACK, "closed after " + took + " s");
            }
        }
    }

    @Test
    void aLongPollOutlivesTheHandshakeDeadline() throws Exception {
        for (HttpClient.Version version : new HttpClient.Version[]{HttpClient.Version.HTTP_2,
                HttpClient.Version.HTTP_1_1}) {
            try (HttpClient client = HttpClient.newBuilder().version(version)
                    .sslContext(certificate.clientContext()).build()) {
                HttpResponse<String> snap = client.send(get("table=items&offset=-1"),
                        HttpResponse.BodyHandlers.ofString());
                String handle = snap.headers().firstValue("electric-handle").orElseThrow();
                long start = System.nanoTime();
                HttpResponse<String> live = client.send(get("table=items&offset=0_inf&live=true&handle="
                        + URLEncoder.encode(handle, StandardCharsets.UTF_8)), HttpResponse.BodyHandlers.ofString());
                assertEquals(version, live.version());
                assertEquals(200, live.statusCode(), live.body());
                assertTrue(live.body().contains("up-to-date"), live.body());
                assertTrue((System.nanoTime() - start) / 1e9 >= 3.9, "the long-poll waited its timeout");
                assertEquals(200, client.send(get("table=items&offset=-1"), HttpResponse.BodyHandlers.ofString())
                        .statusCode());
            }
        }
    }

    private static HttpRequest get(String query) {
        return HttpRequest.newBuilder(URI.create("https://localhost:" + a.ampere.httpPort() + "/v1/shape?" + query))
                .timeout(Duration.ofSeconds(30)).build();
    }
}
