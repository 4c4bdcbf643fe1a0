package dev.ampere.http;

import dev.ampere.postgres.RelationName;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses identifiers in the {@code table} and {@code columns} request parameters the way Electric's
 * {@code Identifiers.parse/parse_relation} and {@code Plug.Utils.parse_columns_param} do: double-quoted parts keep
 * their case (with {@code ""} for a quote), unquoted parts are lower-cased (ASCII A-Z only, as Postgres does for
 * multi-byte encodings) and limited to letters, marks, digits, {@code _} and {@code $}; no part may exceed 63
 * characters (counted as grapheme clusters, as Elixir's {@code String.length}).
 *
 * <p>Stateless and thread-safe.
 */
public final class IdentifierParser {
    static final int NAMEDATALEN = 63;
    // Electric's regex reads ^[\pL_][\pL\pM_0-9$]*$]*$ : the trailing "]*$" only ever matches empty, but its "$"
    // (like ours, with UNIX_LINES) also accepts one final "\n".
    private static final Pattern UNQUOTED = Pattern.compile("^[\\p{L}_][\\p{L}\\p{M}_0-9$]*$", Pattern.UNIX_LINES);
    private static final Pattern UNESCAPED_QUOTE = Pattern.compile("(?<!\")\"(?!\")");
    private static final Pattern COLUMN_SEPARATOR = Pattern.compile(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)");
    private static final Pattern GRAPHEME = Pattern.compile("\\X");
    static final String ZERO_LENGTH = "Invalid zero-length delimited identifier";

    private IdentifierParser() {}

    /** One identifier: {@code "Quoted"""Name"} → {@code Quoted"Name}, {@code FooBar} → {@code foobar}. */
    public static String parse(String ident) throws InvalidIdentifierException {
        String parsed = ident.length() >= 1 && ident.startsWith("\"") && ident.endsWith("\"")
                ? parseQuoted(ident.length() < 2 ? "" : ident.substring(1, ident.length() - 1))
                : parseUnquoted(ident);
        if (graphemes(parsed) > NAMEDATALEN) {
            throw new InvalidIdentifierException("Identifier is too long (max length is " + NAMEDATALEN + ")");
        }
        return parsed;
    }

    /** {@code name} (schema {@code public}) or {@code schema.name}; dots inside double quotes do not split. */
    public static RelationName parseRelation(String ident) throws InvalidIdentifierException {
        List<String> parts = splitOutsideQuotes(ident);
        return switch (parts.size()) {
            case 1 -> new RelationName("public", parse(parts.getFirst()));
            case 2 -> {
                String schema = parse(parts.get(0));
                yield new RelationName(schema, parse(parts.get(1)));
            }
            default -> throw new InvalidIdentifierException(
                    "Invalid relation identifier, too many delimiters: " + ident);
        };
    }

    /** A comma-separated column list; commas inside double quotes do not split. Order is kept. */
    public static List<String> parseColumns(String columns) throws InvalidIdentifierException {
        List<String> out = new ArrayList<>();
        for (String column : COLUMN_SEPARATOR.split(columns, -1)) out.add(parse(column));
        return out;
    }

    private static String parseQuoted(String inner) throws InvalidIdentifierException {
        if (inner.isEmpty()) throw new InvalidIdentifierException(ZERO_LENGTH);
        if (UNESCAPED_QUOTE.matcher(inner).find()) {
            throw new InvalidIdentifierException("Invalid identifier with unescaped quote: " + inner);
        }
        return inner.replace("\"\"", "\"");
    }

    private static String parseUnquoted(String ident) throws InvalidIdentifierException {
        if (ident.isEmpty()) throw new InvalidIdentifierException(ZERO_LENGTH);
        if (!UNQUOTED.matcher(ident).find()) {
            throw new InvalidIdentifierException("Invalid unquoted identifier contains special characters: " + ident);
        }
        StringBuilder sb = new StringBuilder(ident.length());
        for (int i = 0; i < ident.length(); i++) {
            char c = ident.charAt(i);
            sb.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
        }
        return sb.toString();
    }

    /** Electric's {@code StringSplitter}: a quote toggles quoting; a dot outside quotes ends a part. */
    private static List<String> splitOutsideQuotes(String s) {
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean inQuotes = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '.' && !inQuotes) {
                parts.add(current.toString());
                current.setLength(0);
            } else {
                if (c == '"') inQuotes = !inQuotes;
                current.append(c);
            }
        }
        parts.add(current.toString());
        return parts;
    }

    private static int graphemes(String s) {
        if (s.length() <= NAMEDATALEN) return s.length();
        Matcher m = GRAPHEME.matcher(s);
        int n = 0;
        while (m.find()) n++;
        return n;
    }
}
