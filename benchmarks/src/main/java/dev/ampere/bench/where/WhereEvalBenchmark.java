package dev.ampere.bench.where;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import dev.ampere.postgres.ColumnInfo;
import dev.ampere.postgres.TableInfo;
import dev.ampere.where.RowValues;
import dev.ampere.where.WhereClause;

/**
 * Where-clause evaluation on a typical row: the compiled predicate against the interpreted tree walk, for a simple
 * indexed-style clause, a mixed clause and an ILIKE clause.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class WhereEvalBenchmark {
    static final TableInfo TABLE = table();
    static final String[] ROW = {"4711", "Fix the flux capacitor", "open", "2024-05-01 10:00:00+00", "3", "{bug,ui}"};
    static final RowValues VALUES = i -> ROW[i];

    @Param({"id = 4711",
            "status = 'open' AND priority >= 2 AND created_at > '2024-01-01'",
            "title ILIKE '%flux%'"})
    public String where;

    private WhereClause clause;

    @Setup
    public void setup() {
        clause = WhereClause.parse(where, TABLE, Map.of());
    }

    @Benchmark
    public boolean compiled() {
        return clause.matches(VALUES);
    }

    @Benchmark
    public Boolean interpreted() {
        return clause.interpret(VALUES);
    }

    static TableInfo table() {
        return new TableInfo("public", "issues", 1, List.of(
                new ColumnInfo("id", 1, 23, "int4", 23, 'b', 0, -1, true, 0, false),
                new ColumnInfo("title", 2, 25, "text", 25, 'b', 0, -1, false, -1, false),
                new ColumnInfo("status", 3, 25, "text", 25, 'b', 0, -1, false, -1, false),
                new ColumnInfo("created_at", 4, 1184, "timestamptz", 1184, 'b', 0, -1, false, -1, false),
                new ColumnInfo("priority", 5, 23, "int4", 23, 'b', 0, -1, false, -1, false),
                new ColumnInfo("labels", 6, 1009, "text", 25, 'b', 1, -1, false, -1, false)),
                List.of("id"), 'f', 'r');
    }
}
