package dev.ampere.where;

/**
 * A where clause (or its params) that cannot be accepted: a syntax error, an unknown column or function, a type
 * mismatch. Part of the where-clause engine; thrown only while parsing and binding, never while evaluating rows.
 *
 * <p>{@link #getMessage()} is the text a user of Electric sees in {@code errors.where}: {@code At location N:
 * <reason>} when the error has a location, the bare reason otherwise. Locations follow Electric exactly (docs/protocol.md
 * §2.1): syntax errors are 0-based character offsets into {@code SELECT 1 WHERE <text>} (so {@code 1 x 1} gives
 * 17), semantic errors are 0-based offsets into the user's text. {@link #field()} says which request parameter the
 * error belongs to ({@code where} or {@code params}).
 *
 * <p>Immutable; safe to share.
 */
public final class WhereClauseException extends RuntimeException {
    private final String reason;
    private final int location;
    private final String field;

    public WhereClauseException(String reason, int location) {
        this(reason, location, "where");
    }

    public WhereClauseException(String reason, int location, String field) {
        super(location >= 0 ? "At location " + location + ": " + reason : reason, null, false, false);
        this.reason = reason;
        this.location = location;
        this.field = field;
    }

    /** Without location: rendered as the bare reason. */
    public static WhereClauseException plain(String reason) {
        return new WhereClauseException(reason, -1);
    }

    public static WhereClauseException params(String reason) {
        return new WhereClauseException(reason, -1, "params");
    }

    public String reason() {
        return reason;
    }

    /** The location as rendered, or -1 when the error has none. */
    public int location() {
        return location;
    }

    /** The request parameter at fault: {@code where} or {@code params}. */
    public String field() {
        return field;
    }
}
