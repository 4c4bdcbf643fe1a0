package dev.ampere.http;

import dev.ampere.shapes.ShapeDefinition;

import dev.ampere.postgres.RelationName;
import dev.ampere.changes.LogOffset;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class ShapeRequestParserTest {
    /** Builds a query map from "k=v" pairs (already decoded); repeated keys accumulate. */
    static Map<String, List<String>> q(String... pairs) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (String p : pairs) {
            int eq = p.indexOf('=');
            m.computeIfAbsent(p.substring(0, eq), k -> new ArrayList<>()).add(p.substring(eq + 1));
        }
        return m;
    }

    static ShapeRequest ok(String... pairs) {
        Validated<ShapeRequest> v = ShapeRequestParser.parse(q(pairs));
        if (v instanceof Validated.Invalid<ShapeRequest>(RequestErrors e)) fail("unexpected errors " + e);
        return ((Validated.Ok<ShapeRequest>) v).value();
    }

    /** The exact 400 body for the request. */
    static String body(String... pairs) {
        Validated<ShapeRequest> v = ShapeRequestParser.parse(q(pairs));
        if (!(v instanceof Validated.Invalid<ShapeRequest>(RequestErrors e))) throw new AssertionError("valid: " + v);
        return new String(ErrorBodies.invalidRequest(e), StandardCharsets.UTF_8);
    }

    static String err(String field, String message) {
        return "{\"message\":\"Invalid request\",\"errors\":{\"" + field + "\":[\"" + message + "\"]}}";
    }

    @Test
    void minimalInitialRequestHasDefaults() {
        ShapeRequest r = ok("table=items", "offset=-1");
        ShapeDefinitionParams d = r.definition();
        assertEquals(new RelationName("public", "items"), d.relation());
        assertEquals(Optional.empty(), d.where());
        assertEquals(Map.of(), d.params());
        assertEquals(Optional.empty(), d.columns());
        assertEquals(ShapeDefinition.Replica.DEFAULT, d.replica());
        assertEquals(ShapeDefinition.LogMode.FULL, d.logMode());
        assertFalse(d.compaction());
        assertTrue(r.offset().isBeforeAll());
        assertEquals(Optional.empty(), r.handle());
        assertFalse(r.live());
        assertFalse(r.liveSse());
        assertFalse(r.isSubset());
        assertEquals(Optional.empty(), r.cursor());
    }

    @Test
    void fullRequestIsParsed() {
        ShapeRequest r = ok("table=s.\"My Items\"", "offset=123_4", "handle=h-1", "live=true", "live_sse=true",
                "cursor=42", "where=id > $1 and x = $2", "params[2]=b", "params[1]=a", "columns=id,\"Title\"",
                "replica=full", "log=changes_only", "experimental_compaction=true", "customParam=x",
                "expired_handle=z", "cache-buster=1");
        ShapeDefinitionParams d = r.definition();
        assertEquals(new RelationName("s", "My Items"), d.relation());
        assertEquals(Optional.of("id > $1 and x = $2"), d.where());
        assertEquals(List.of("1", "2"), List.copyOf(d.params().keySet()), "sorted numerically");
        assertEquals("a", d.params().get("1"));
        assertEquals(Optional.of(List.of("id", "Title")), d.columns());
        assertEquals(ShapeDefinition.Replica.FULL, d.replica());
        assertEquals(ShapeDefinition.LogMode.CHANGES_ONLY, d.logMode());
        assertTrue(d.compaction());
        assertEquals(new RequestedOffset.At(LogOffset.of(123, 4)), r.offset());
        assertEquals(Optional.of("h-1"), r.handle());
        assertTrue(r.live());
        assertTrue(r.liveSse());
        assertEquals(Optional.of("42"), r.cursor());
    }

    @Test
    void offsetForms() {
        assertEquals(RequestedOffset.NOW, ok("table=t", "offset=now").offset());
        assertEquals("0_inf", ok("table=t", "offset=0_inf", "handle=h").offset().wireForm());
        assertEquals("18446744073709551615_inf",
                ok("table=t", "offset=18446744073709551615_inf", "handle=h").offset().wireForm());
        assertEquals("5_0", ok("table=t", "offset=+5_00", "handle=h").offset().wireForm(), "Integer.parse signs");
        ShapeRequest minusOneZero = ok("table=t", "offset=-1_0", "handle=h");
        assertTrue(minusOneZero.offset().isBeforeAll());
        assertEquals(Optional.empty(), minusOneZero.handle(), "-1_0 is -1: handle dropped");
        for (String bad : List.of("invalid", "0_-1", "1", "1_2_3", "_1", "1_", "-2_0", "-1_inf", "-1_1", "1_Inf",
                "18446744073709551616_0", "1_9223372036854775807", " 1_2")) {
            assertEquals(err("offset", "has invalid format"), body("table=t", "offset=" + bad, "handle=h"), bad);
        }
    }

    @Test
    void handleIsDroppedForMinusOneAndNowAndRequiredOtherwise() {
        assertEquals(Optional.empty(), ok("table=t", "offset=-1", "handle=h").handle());
        assertEquals(Optional.empty(), ok("table=t", "offset=now", "handle=h").handle());
        assertEquals(err("handle", "can't be blank when offset != -1"), body("table=t", "offset=0_0"));
        assertEquals(err("handle", "can't be blank when offset != -1"), body("table=t", "offset=0_0", "handle= "));
    }

    @Test
    void liveTruthinessAndOffsetRules() {
        assertTrue(ok("table=t", "offset=1_0", "handle=h", "live=").live(), "empty is not \"false\"");
        assertTrue(ok("table=t", "offset=1_0", "handle=h", "live=no").live());
        assertFalse(ok("table=t", "offset=1_0", "handle=h", "live=false").live());
        assertEquals(err("live", "can't be true when offset == -1"), body("table=t", "offset=-1", "live=true"));
        assertEquals(err("live", "can't be true when offset is 'now'"), body("table=t", "offset=now", "live=1"));
    }

    @Test
    void liveSseAndItsDeprecatedAlias() {
        assertTrue(ok("table=t", "offset=1_0", "handle=h", "live=true", "experimental_live_sse=true").liveSse());
        assertTrue(ok("table=t", "offset=1_0", "handle=h", "live=true", "experimental_live_sse=1").liveSse());
        assertFalse(ok("table=t", "offset=1_0", "handle=h", "live=true", "live_sse=false",
                "experimental_live_sse=true").liveSse(), "alias read only when live_sse is absent");
        assertEquals(err("live_sse", "can't be true unless live is also true"),
                body("table=t", "offset=1_0", "handle=h", "live_sse=true"));
        assertEquals(err("live_sse", "is invalid"),
                body("table=t", "offset=1_0", "handle=h", "live=true", "experimental_live_sse=yes"),
                "the alias goes through Ecto's boolean cast unconverted");
    }

    @Test
    void tableErrors() {
        assertEquals(err("table", "can't be blank"), body("offset=-1"));
        assertEquals(err("table", "can't be blank"), body("table=", "offset=-1"));
        assertEquals(err("table", "Invalid zero-length delimited identifier"), body("table=.invalid_shape", "offset=-1"));
        assertEquals(err("table", "Invalid relation identifier, too many delimiters: a.b.c"),
                body("table=a.b.c", "offset=-1"));
        assertEquals(err("table", "Invalid unquoted identifier contains special characters: my-table"),
                body("table=my-table", "offset=-1"));
    }

    @Test
    void castErrorsComeTogetherWithMissingOffset() {
        assertEquals("{\"message\":\"Invalid request\",\"errors\":{\"replica\":[\"is invalid\"],"
                + "\"log\":[\"is invalid\"],\"offset\":[\"can't be blank\"]}}",
                body("table=t", "replica=partial", "log=x"));
        assertEquals(err("offset", "can't be blank"), body("table=t"));
        assertEquals(err("columns", "Invalid zero-length delimited identifier"),
                body("table=t", "offset=-1", "columns=id,"));
        assertEquals(err("experimental_compaction", "is invalid"),
                body("table=t", "offset=-1", "experimental_compaction=maybe"));
        assertEquals(err("params", "is invalid"), body("table=t", "offset=-1", "params=1"));
    }

    @Test
    void laterChecksWaitForEarlierOnes() {
        // offset is checked before table, so a bad offset hides a missing table (Ecto pipeline short-circuits)
        assertEquals(err("offset", "has invalid format"), body("offset=x"));
        assertEquals(err("handle", "can't be blank when offset != -1"), body("offset=1_0", "table=a.b.c"));
    }

    @Test
    void blankValuesCountAsAbsent() {
        ShapeRequest r = ok("table=t", "offset=-1", "where= ", "columns=", "replica=", "log=", "params=");
        assertEquals(Optional.empty(), r.definition().where());
        assertEquals(Optional.empty(), r.definition().columns());
        assertEquals(ShapeDefinition.Replica.DEFAULT, r.definition().replica());
        assertEquals(ShapeDefinition.LogMode.FULL, r.definition().logMode());
    }

    @Test
    void lastRepeatedValueWins() {
        assertEquals(new RelationName("public", "b"), ok("table=a", "table=b", "offset=-1").definition().relation());
    }

    @Test
    void paramsAreValidatedOnlyWithWhere() {
        assertEquals(err("params", "Parameters can only use numbers as keys"),
                body("table=t", "offset=-1", "where=x = $1", "params[a]=1"));
        assertEquals(err("params", "Parameters must be numbered sequentially, starting from 1"),
                body("table=t", "offset=-1", "where=x = $1", "params[1]=a", "params[3]=c"));
        assertEquals(err("params", "Parameters must be numbered sequentially, starting from 1"),
                body("table=t", "offset=-1", "where=x = $1", "params[0]=a"));
        assertEquals(Map.of("a", "1"), ok("table=t", "offset=-1", "params[a]=1").definition().params(),
                "Electric skips params validation without a where");
        List<String> keys = new ArrayList<>();
        List<String> pairs = new ArrayList<>(List.of("table=t", "offset=-1", "where=x"));
        for (int i = 11; i >= 1; i--) pairs.add("params[" + i + "]=v" + i);
        for (int i = 1; i <= 11; i++) keys.add(Integer.toString(i));
        assertEquals(keys, List.copyOf(ok(pairs.toArray(String[]::new)).definition().params().keySet()));
        assertEquals(err("params", "is invalid"), body("table=t", "offset=-1", "params[1][x]=a"));
        assertEquals(Map.of("1", "a", "2", "b"), ok("table=t", "offset=-1", "where=x", "params[01]=a", "params[+2]=b")
                .definition().params(), "keys as the where engine reads them");
    }

    @Test
    void validateParamsFollowsIntegerParse() {
        assertEquals(Optional.empty(), ShapeRequestParser.validateParams(Map.of("01", "a", "+2", "b")));
        assertEquals(Optional.of("Parameters must be numbered sequentially, starting from 1"),
                ShapeRequestParser.validateParams(Map.of("1", "a", "01", "b")));
        assertEquals(Optional.of("Parameters can only use numbers as keys"),
                ShapeRequestParser.validateParams(Map.of("1.0", "a")));
    }

    @Test
    void subsetParamsAreFlagged() {
        ShapeRequest r = ok("table=t", "offset=-1", "subset__where=x > 1", "subset__limit=10", "subset[order_by]=x");
        assertTrue(r.isSubset());
        assertEquals(Map.of("where", "x > 1", "limit", "10", "order_by", "x"), r.subset().orElseThrow());
    }

    @Test
    void deleteWithHandleOnly() {
        Validated<DeleteShapeRequest> v = ShapeRequestParser.parseDelete(q("handle=h-1"));
        assertEquals(new Validated.Ok<>(new DeleteShapeRequest(Optional.empty(), Optional.of("h-1"))), v);
    }

    @Test
    void deleteWithDefinition() {
        Validated<DeleteShapeRequest> v = ShapeRequestParser.parseDelete(q("table=public.users", "offset=junk",
                "where=id = $1", "params[1]=5", "handle=h"));
        DeleteShapeRequest d = ((Validated.Ok<DeleteShapeRequest>) v).value();
        assertEquals(new RelationName("public", "users"), d.definition().orElseThrow().relation());
        assertEquals(Optional.of("h"), d.handle());
    }

    @Test
    void deleteErrors() {
        assertEquals(err("handle", "can't be blank when shape definition is missing"), deleteBody());
        assertEquals(err("table", "Invalid zero-length delimited identifier"), deleteBody("table=.invalid_shape"));
        assertEquals(err("live", "is invalid"), deleteBody("table=public.users", "live=banana"));
    }

    static String deleteBody(String... pairs) {
        Validated<DeleteShapeRequest> v = ShapeRequestParser.parseDelete(q(pairs));
        if (!(v instanceof Validated.Invalid<DeleteShapeRequest>(RequestErrors e))) throw new AssertionError("" + v);
        return new String(ErrorBodies.invalidRequest(e), StandardCharsets.UTF_8);
    }

    @Test
    void nulBytesInDefinitionParametersAre400sAndInUnknownOnesAreIgnored() {
        String nul = "{\"message\":\"Invalid request\",\"errors\":{\"%s\":[\"invalid byte sequence for encoding \\\"UTF8\\\": 0x00\"]}}";
        assertEquals(nul.formatted("table"), body("table=\"it\0ems\"", "offset=-1"));
        assertEquals(nul.formatted("where"), body("table=items", "offset=-1", "where=title = 'a\0'"));
        assertEquals(nul.formatted("params"), body("table=items", "offset=-1", "where=id = $1", "params[1]=\0"));
        ok("table=items", "offset=-1", "customParam=\0");
    }
}
