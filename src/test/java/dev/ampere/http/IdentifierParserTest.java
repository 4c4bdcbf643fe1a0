package dev.ampere.http;

import dev.ampere.postgres.RelationName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Cases from Electric's doctests for Identifiers.parse/parse_relation and Plug.Utils.parse_columns_param. */
class IdentifierParserTest {
    private static String error(ThrowingParse p) {
        return assertThrows(InvalidIdentifierException.class, p::run).getMessage();
    }

    interface ThrowingParse {
        void run() throws InvalidIdentifierException;
    }

    @Test
    void parsesSingleIdentifiers() throws Exception {
        assertEquals("foobar", IdentifierParser.parse("FooBar"));
        assertEquals("FooBar", IdentifierParser.parse("\"FooBar\""));
        assertEquals(" ", IdentifierParser.parse("\" \""));
        assertEquals("Foo\"Bar", IdentifierParser.parse("\"Foo\"\"Bar\""));
        assertEquals("_val1d_schëmaΦ$", IdentifierParser.parse("_val1d_schëmaΦ$"), "only A-Z is lower-cased");
        assertEquals("_valid_schëmaΦ$", IdentifierParser.parse("_VALID_schëmaΦ$"));
    }

    @Test
    void rejectsBadIdentifiersWithElectricsMessages() {
        assertEquals("Invalid unquoted identifier contains special characters: Foo\"Bar\"",
                error(() -> IdentifierParser.parse("Foo\"Bar\"")));
        assertEquals("Invalid unquoted identifier contains special characters:  ",
                error(() -> IdentifierParser.parse(" ")));
        assertEquals("Invalid unquoted identifier contains special characters: foob@r",
                error(() -> IdentifierParser.parse("foob@r")));
        assertEquals("Invalid unquoted identifier contains special characters: 1abc",
                error(() -> IdentifierParser.parse("1abc")));
        assertEquals("Invalid identifier with unescaped quote: Foo\"Bar",
                error(() -> IdentifierParser.parse("\"Foo\"Bar\"")));
        assertEquals("Invalid zero-length delimited identifier", error(() -> IdentifierParser.parse("\"\"")));
        assertEquals("Invalid zero-length delimited identifier", error(() -> IdentifierParser.parse("\"")));
        assertEquals("Invalid zero-length delimited identifier", error(() -> IdentifierParser.parse("")));
        assertEquals("Identifier is too long (max length is 63)",
                error(() -> IdentifierParser.parse("a".repeat(64))));
    }

    @Test
    void lengthLimitCountsGraphemesNotChars() throws Exception {
        assertEquals("a".repeat(63), IdentifierParser.parse("a".repeat(63)));
        String combining = "e\u0301".repeat(63); // 126 chars, 63 graphemes
        assertEquals(combining, IdentifierParser.parse(combining));
    }

    @Test
    void parsesRelations() throws Exception {
        assertEquals(new RelationName("public", "foo"), IdentifierParser.parseRelation("foo"));
        assertEquals(new RelationName("foo", "bar"), IdentifierParser.parseRelation("foo.bar"));
        assertEquals(new RelationName("foo", "bar"), IdentifierParser.parseRelation("\"foo\".\"bar\""));
        assertEquals(new RelationName("foo.woah", "bar"), IdentifierParser.parseRelation("\"foo.woah\".\"bar\""));
        assertEquals(new RelationName("foo", "bar"), IdentifierParser.parseRelation("\"foo\".bar"));
        assertEquals(new RelationName("electric_test", "issues for \"x\""),
                IdentifierParser.parseRelation("electric_test.\"issues for \"\"x\"\"\""));
        assertEquals(new RelationName("public", "Items"), IdentifierParser.parseRelation("\"Items\""));
    }

    @Test
    void rejectsBadRelations() {
        assertEquals("Invalid unquoted identifier contains special characters: \"bar",
                error(() -> IdentifierParser.parseRelation("\"foo\".\"bar")));
        assertEquals("Invalid relation identifier, too many delimiters: foo.bar.baz",
                error(() -> IdentifierParser.parseRelation("foo.bar.baz")));
        assertEquals("Invalid zero-length delimited identifier",
                error(() -> IdentifierParser.parseRelation(".invalid_shape")));
    }

    @Test
    void parsesColumnLists() throws Exception {
        assertEquals(List.of("id"), IdentifierParser.parseColumns("id"));
        assertEquals(List.of("id", "name"), IdentifierParser.parseColumns("id,name"));
        assertEquals(List.of("PoT@To", "potato"), IdentifierParser.parseColumns("\"PoT@To\",PoTaTo"));
        assertEquals(List.of("PoTaTo,sunday", "foo"), IdentifierParser.parseColumns("\"PoTaTo,sunday\",foo"));
        assertEquals(List.of("fo\"o", "bar"), IdentifierParser.parseColumns("\"fo\"\"o\",bar"));
        assertEquals(List.of("id", "has,comma", "has\"quote", "has space"),
                IdentifierParser.parseColumns("id,\"has,comma\",\"has\"\"quote\",\"has space\""));
    }

    @Test
    void rejectsBadColumnLists() {
        assertEquals("Invalid zero-length delimited identifier", error(() -> IdentifierParser.parseColumns("")));
        assertEquals("Invalid zero-length delimited identifier", error(() -> IdentifierParser.parseColumns("foo,")));
        assertEquals("Invalid unquoted identifier contains special characters: \"id",
                error(() -> IdentifierParser.parseColumns("\"id,\"name\"")));
    }
}
