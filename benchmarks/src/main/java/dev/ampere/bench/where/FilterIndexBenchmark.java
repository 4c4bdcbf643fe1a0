package dev.ampere.bench.where;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import dev.ampere.where.RowValues;
import dev.ampere.where.WhereClause;
import dev.ampere.where.index.ShapeFilterIndex;

/**
 * Shape filter lookup for one changed row: {@code indexed} registers {@code shapes} shapes {@code id = <n>} (hash
 * index), {@code ilike} registers {@code title ILIKE '%<n>%'} shapes (each evaluated). A miss matches no shape, a
 * hit matches exactly one. Run {@code ilike} only up to 1,000 shapes ({@code -p kind=ilike -p shapes=10,1000}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FilterIndexBenchmark {
    @Param({"indexed", "ilike"})
    public String kind;

    @Param({"10", "1000", "100000"})
    public int shapes;

    private ShapeFilterIndex<Integer> index;
    private RowValues miss;
    private RowValues hit;

    @Setup
    public void setup() {
        index = new ShapeFilterIndex<>();
        for (int n = 0; n < shapes; n++) {
            String where = kind.equals("indexed") ? "id = " + n : "title ILIKE '%x" + n + "y%'";
            index.register(n, WhereEvalBenchmark.TABLE, WhereClause.parse(where, WhereEvalBenchmark.TABLE, Map.of()));
        }
        String[] missRow = WhereEvalBenchmark.ROW.clone();
        missRow[0] = "-5";
        String[] hitRow = WhereEvalBenchmark.ROW.clone();
        hitRow[0] = "7";
        hitRow[1] = "Fix x7y please";
        miss = i -> missRow[i];
        hit = i -> hitRow[i];
    }

    @Benchmark
    public Set<Integer> miss() {
        return index.affectedShapes(1, miss);
    }

    @Benchmark
    public Set<Integer> hit() {
        return index.affectedShapes(1, hit);
    }
}
