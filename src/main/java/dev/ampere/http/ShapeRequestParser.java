package dev.ampere.http;

import dev.ampere.shapes.ShapeDefinition;

import dev.ampere.postgres.RelationName;
import dev.ampere.changes.LogOffset;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Validates the query parameters of {@code GET/POST /v1/shape} and {@code DELETE /v1/shape} without touching the
 * database (docs/protocol.md §1.3, §1.14), in the order of Electric's {@code Api.Params.validate}: cast every field,
 * require {@code offset}, then, each step only if all before it passed, parse the offset, check {@code handle}
 * against it, check {@code live} and {@code live_sse}, require and parse {@code table}, and (only when a
 * {@code where} is present, as Electric does) check the {@code params} keys. Unknown parameters are ignored.
 *
 * <p>What needs the catalog (table existence, column and where checks) is left to the shape route; Electric
 * reports those before a bad {@code params} key.
 *
 * <p>Stateless and thread-safe.
 */
public final class ShapeRequestParser {
    static final String BLANK = "can't be blank";
    private static final Map<String, ShapeDefinition.Replica> REPLICA = Map.of("default", ShapeDefinition.Replica.DEFAULT,
            "full", ShapeDefinition.Replica.FULL);
    private static final Map<String, ShapeDefinition.LogMode> LOG = Map.of("full", ShapeDefinition.LogMode.FULL, "changes_only", ShapeDefinition.LogMode.CHANGES_ONLY);
    private static final BigInteger MAX_TX = new BigInteger("18446744073709551615");

    private ShapeRequestParser() {}

    /** Parses a GET/POST request's decoded query parameters (deep-object keys such as {@code params[1]} included). */
    /** What Postgres says of a NUL byte in text: no parameter can carry one into a query or a name. */
    static final String NUL_BYTE = "invalid byte sequence for encoding \"UTF8\": 0x00";

    private static final Set<String> NUL_CHECKED = Set.of("table", "where", "columns",
            "queryable_columns", "handle", "offset", "replica", "log", "params", "subset");

    private static void rejectNulBytes(Map<String, List<String>> query, RequestErrors errors) {
        for (Map.Entry<String, List<String>> e : query.entrySet()) {
            String name = e.getKey();
            String field = name.startsWith("params") ? "params" : name.startsWith("subset") ? "subset" : name;
            if (!NUL_CHECKED.contains(field)) continue; // unknown parameters are ignored, whatever they hold
            for (String v : e.getValue()) {
                if (v.indexOf('\0') >= 0 && !errors.has(field)) errors.add(field, NUL_BYTE);
            }
        }
    }

    public static Validated<ShapeRequest> parse(Map<String, List<String>> query) {
        RequestErrors errors = new RequestErrors();
        rejectNulBytes(query, errors);
        if (!errors.isEmpty()) return new Validated.Invalid<>(errors);
        ParamCaster in = new ParamCaster(query, errors);
        Optional<String> table = in.string("table");
        Optional<String> offsetText = in.string("offset");
        Optional<String> handle = in.string("handle");
        // The plug turns live into a boolean before casting: anything but the literal "false" is true.
        boolean live = in.raw("live").map(v -> !v.equals("false")).orElse(false);
        CastDefinition def = castDefinition(in);
        Optional<String> sse = in.raw("live_sse");
        boolean liveSse = sse.isPresent()
                ? !sse.get().equals("false")
                : in.castBool("live_sse", in.raw("experimental_live_sse"), false);
        ShapeDefinition.LogMode log = in.enumValue("log", LOG, ShapeDefinition.LogMode.FULL);
        if (offsetText.isEmpty()) errors.add("offset", BLANK);
        if (!errors.isEmpty()) return new Validated.Invalid<>(errors);

        Optional<RequestedOffset> offset = parseOffset(offsetText.get());
        if (offset.isEmpty()) return invalid("offset", "has invalid format");
        RequestedOffset o = offset.get();
        boolean noHandleNeeded = o.isBeforeAll() || o instanceof RequestedOffset.Now;
        if (noHandleNeeded) {
            handle = Optional.empty();
        } else if (handle.isEmpty()) {
            return invalid("handle", "can't be blank when offset != -1");
        }
        if (live && o.isBeforeAll()) return invalid("live", "can't be true when offset == -1");
        if (live && o instanceof RequestedOffset.Now) return invalid("live", "can't be true when offset is 'now'");
        if (liveSse && !live) return invalid("live_sse", "can't be true unless live is also true");
        if (table.isEmpty()) return invalid("table", BLANK);

        Validated<ShapeDefinitionParams> definition = define(table.get(), def, log);
        if (definition instanceof Validated.Invalid<ShapeDefinitionParams>(RequestErrors e)) {
            return new Validated.Invalid<>(e);
        }
        ShapeDefinitionParams d = ((Validated.Ok<ShapeDefinitionParams>) definition).value();
        return new Validated.Ok<>(new ShapeRequest(d, o, handle, live, liveSse, in.raw("cursor"), subset(query)));
    }

    /**
     * Parses {@code DELETE /v1/shape} parameters: with a {@code table} the definition is parsed (and a handle kept if
     * given); without one, a handle is required. Parameters only a GET uses are still cast, so a malformed
     * {@code live} is rejected, but {@code offset} is not checked (Electric's {@code validate_for_delete}).
     */
    public static Validated<DeleteShapeRequest> parseDelete(Map<String, List<String>> query) {
        RequestErrors errors = new RequestErrors();
        rejectNulBytes(query, errors);
        if (!errors.isEmpty()) return new Validated.Invalid<>(errors);
        ParamCaster in = new ParamCaster(query, errors);
        Optional<String> table = in.string("table");
        Optional<String> handle = in.string("handle");
        in.bool("live", false);
        CastDefinition def = castDefinition(in);
        in.bool("live_sse", false);
        ShapeDefinition.LogMode log = in.enumValue("log", LOG, ShapeDefinition.LogMode.FULL);
        if (table.isEmpty()) {
            if (handle.isEmpty()) errors.add("handle", "can't be blank when shape definition is missing");
            if (!errors.isEmpty()) return new Validated.Invalid<>(errors);
            return new Validated.Ok<>(new DeleteShapeRequest(Optional.empty(), handle));
        }
        if (!errors.isEmpty()) return new Validated.Invalid<>(errors);
        return switch (define(table.get(), def, log)) {
            case Validated.Ok<ShapeDefinitionParams>(ShapeDefinitionParams d) ->
                    new Validated.Ok<>(new DeleteShapeRequest(Optional.of(d), handle));
            case Validated.Invalid<ShapeDefinitionParams>(RequestErrors e) -> new Validated.Invalid<>(e);
        };
    }

    /**
     * Electric's {@code LogOffset.from_string}: {@code -1}, {@code now}, or {@code <tx>_<op>} where each part is an
     * optionally signed decimal integer and {@code op} may be {@code inf}; {@code -1_0} means {@code -1}. A tx above
     * 2^64-1, which Electric would accept as a bignum, is rejected here.
     */
    public static Optional<RequestedOffset> parseOffset(String text) {
        if (text.equals("-1")) return Optional.of(RequestedOffset.at(LogOffset.BEFORE_ALL));
        if (text.equals("now")) return Optional.of(RequestedOffset.NOW);
        int sep = text.indexOf('_');
        if (sep < 0 || text.indexOf('_', sep + 1) >= 0) return Optional.empty();
        BigInteger tx = parseInteger(text.substring(0, sep));
        String opText = text.substring(sep + 1);
        boolean inf = opText.equals("inf");
        BigInteger op = inf ? null : parseInteger(opText);
        if (tx == null || (!inf && op == null)) return Optional.empty();
        if (tx.equals(BigInteger.ONE.negate()) && !inf && op.signum() == 0) {
            return Optional.of(RequestedOffset.at(LogOffset.BEFORE_ALL));
        }
        if (tx.signum() < 0 || tx.compareTo(MAX_TX) > 0) return Optional.empty();
        if (inf) return Optional.of(RequestedOffset.at(LogOffset.of(tx.longValue(), LogOffset.INF)));
        if (op.signum() < 0 || op.compareTo(BigInteger.valueOf(LogOffset.INF)) >= 0) return Optional.empty();
        return Optional.of(RequestedOffset.at(LogOffset.of(tx.longValue(), op.longValueExact())));
    }

    /**
     * Electric's {@code Validators.validate_parameters}: every key an (optionally signed) integer, and the sorted keys
     * exactly 1..n. Returns the error message, or empty when valid.
     */
    public static Optional<String> validateParams(Map<String, String> params) {
        List<BigInteger> keys = new ArrayList<>();
        for (String k : params.keySet()) {
            BigInteger n = parseInteger(k);
            if (n == null) return Optional.of("Parameters can only use numbers as keys");
            keys.add(n);
        }
        keys.sort(null);
        for (int i = 0; i < keys.size(); i++) {
            if (!keys.get(i).equals(BigInteger.valueOf(i + 1L))) {
                return Optional.of("Parameters must be numbered sequentially, starting from 1");
            }
        }
        return Optional.empty();
    }

    private record CastDefinition(Optional<String> where, Optional<List<String>> columns,
                                  Optional<List<String>> queryableColumns, ShapeDefinition.Replica replica,
                                  Map<String, String> params, boolean compaction) {}

    /** The definition fields, cast in Electric's schema order so errors come out in the same order. */
    private static CastDefinition castDefinition(ParamCaster in) {
        Optional<String> where = in.string("where");
        Optional<List<String>> columns = in.columns("columns");
        Optional<List<String>> queryable = in.columns("queryable_columns");
        ShapeDefinition.Replica replica = in.enumValue("replica", REPLICA, ShapeDefinition.Replica.DEFAULT);
        Map<String, String> params = in.stringMap("params");
        boolean compaction = in.bool("experimental_compaction", false);
        return new CastDefinition(where, columns, queryable, replica, params, compaction);
    }

    private static Validated<ShapeDefinitionParams> define(String table, CastDefinition c, ShapeDefinition.LogMode log) {
        RelationName relation;
        try {
            relation = IdentifierParser.parseRelation(table);
        } catch (InvalidIdentifierException e) {
            return new Validated.Invalid<>(RequestErrors.of("table", e.getMessage()));
        }
        Map<String, String> params = c.params();
        if (c.where().isPresent()) {
            Optional<String> bad = validateParams(params);
            if (bad.isPresent()) return new Validated.Invalid<>(RequestErrors.of("params", bad.get()));
            params = numericOrder(params);
        }
        return new Validated.Ok<>(new ShapeDefinitionParams(relation, c.where(), params, c.columns(),
                c.queryableColumns(), c.replica(), log, c.compaction()));
    }

    private static Map<String, String> numericOrder(Map<String, String> params) {
        TreeMap<BigInteger, Map.Entry<String, String>> sorted = new TreeMap<>();
        for (Map.Entry<String, String> e : params.entrySet()) sorted.put(parseInteger(e.getKey()), e);
        Map<String, String> out = new LinkedHashMap<>();
        // Keys as the where engine reads them ("01" and "+1" name $1 too).
        for (var e : sorted.entrySet()) out.put(e.getKey().toString(), e.getValue().getValue());
        return out;
    }

    /** Keys {@code subset__x} and {@code subset[x]} with their raw values, keyed {@code x}; empty when none. */
    private static Optional<Map<String, String>> subset(Map<String, List<String>> query) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : query.entrySet()) {
            String k = e.getKey();
            String name = k.startsWith("subset__") ? k.substring("subset__".length())
                    : k.startsWith("subset[") && k.endsWith("]") ? k.substring(7, k.length() - 1) : null;
            if (name != null) out.put(name, e.getValue().isEmpty() ? "" : e.getValue().getLast());
        }
        return out.isEmpty() ? Optional.empty() : Optional.of(out);
    }

    /** Elixir's {@code Integer.parse} requiring the whole text: optional sign, ASCII digits. Null otherwise. */
    private static BigInteger parseInteger(String s) {
        int start = !s.isEmpty() && (s.charAt(0) == '+' || s.charAt(0) == '-') ? 1 : 0;
        if (start == s.length()) return null;
        for (int i = start; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch < '0' || ch > '9') return null;
        }
        return new BigInteger(s.charAt(0) == '+' ? s.substring(1) : s);
    }

    private static <T> Validated<T> invalid(String field, String message) {
        return new Validated.Invalid<>(RequestErrors.of(field, message));
    }
}
