package dev.ampere.http;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

class ErrorBodiesTest {
    static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void invalidRequestBodyIsByteExact() {
        assertEquals("{\"message\":\"Invalid request\",\"errors\":{\"where\":[\"At location 17: syntax error at or near \\\"x\\\"\"]}}",
                s(ErrorBodies.invalidRequest("where", "At location 17: syntax error at or near \"x\"")));
        RequestErrors e = new RequestErrors().add("replica", "is invalid").add("offset", "can't be blank")
                .add("replica", "second");
        assertEquals("{\"message\":\"Invalid request\",\"errors\":{\"replica\":[\"is invalid\",\"second\"],"
                + "\"offset\":[\"can't be blank\"]}}", s(ErrorBodies.invalidRequest(e)));
    }

    @Test
    void escapingMatchesJason() {
        assertEquals("{\"message\":\"Table \\\"schëma\\\".\\\"Φ\\\" does not exist\\n\\t\\u0001\\u001F/\"}",
                s(ErrorBodies.message("Table \"schëma\".\"Φ\" does not exist\n\t\u0001\u001f/")));
    }

    @Test
    void charactersOutsideTheBmpAreRawUtf8() {
        assertEquals("{\"message\":\"\uD83D\uDE00\"}", s(ErrorBodies.message("\uD83D\uDE00")));
        assertEquals(4 + 14, ErrorBodies.message("\uD83D\uDE00").length);
    }

    @Test
    void fixedBodies() {
        assertEquals("[{\"headers\":{\"control\":\"must-refetch\"}}]", s(ErrorBodies.mustRefetch()));
        ErrorBodies.mustRefetch()[0] = 'x';
        assertEquals('[', ErrorBodies.mustRefetch()[0], "callers get a copy");
        assertEquals("{\"message\":\"No existing shape found\"}", s(ErrorBodies.message("No existing shape found")));
        assertEquals("{\"message\":\"DELETE not allowed\"}", s(ErrorBodies.message("DELETE not allowed")));
        assertEquals("{\"error\":\"Internal server error\"}", s(ErrorBodies.error("Internal server error")));
        assertEquals("{\"code\":\"concurrent_request_limit_exceeded\",\"message\":\"Concurrent initial request limit "
                + "exceeded (limit: 300), please retry\"}", s(ErrorBodies.concurrentRequestLimitExceeded("initial", 300)));
        assertEquals("{\"code\":\"database_unreachable\",\"error\":\"Database is unreachable\"}",
                s(ErrorBodies.databaseUnreachable()));
    }

    @Test
    void upToDateCarriesTheLsnAsAnUnsignedDecimalString() {
        assertEquals("{\"headers\":{\"control\":\"up-to-date\",\"global_last_seen_lsn\":\"123456\"}}",
                s(ControlMessages.upToDate(123456)));
        assertEquals("[{\"headers\":{\"control\":\"up-to-date\",\"global_last_seen_lsn\":\"18446744073709551615\"}}]",
                s(ControlMessages.upToDateBody(-1L)));
        assertEquals("[{\"headers\":{\"control\":\"up-to-date\",\"global_last_seen_lsn\":\"0\"}}]",
                s(ControlMessages.upToDateBody(0)));
    }
}
