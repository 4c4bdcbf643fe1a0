package dev.ampere.bench.where;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
import dev.ampere.where.SubqueryValues;
import dev.ampere.where.TableResolver;
import dev.ampere.where.WhereClause;
import dev.ampere.where.index.ShapeFilterIndex;

/**
 * Shape filter lookup for one changed row, by kind of shape: {@code indexed} registers {@code shapes} shapes
 * {@code id = <n>} (hash index); {@code ilike} registers {@code title ILIKE '%x<n>y%'}; {@code words} registers
 * {@code title ILIKE '%<word>%'} with distinct pronounceable words of two to four syllables (a consonant and a
 * vowel each, so the words share many grams, as real words do). The LIKE kinds go through the n-gram index. A miss
 * ({@code title = 'Fix the flux capacitor'}) matches no shape, a hit matches exactly one; setup checks both.
 * {@code subquery} registers shapes {@code id IN (SELECT id FROM t WHERE n = <n>)} as a shape with a sub-select is routed
 * once its snapshot has read the sub-select's values (three per shape: {@code 3n, 3n+1, 3n+2}), through the routing
 * clause narrowed to those values ({@link WhereClause#routingClause(SubqueryValues, int)}).
 * Example: {@code -p kind=words -p shapes=10,1000,100000}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FilterIndexBenchmark {
    @Param({"indexed", "ilike", "words", "subquery"})
    public String kind;

    @Param({"10", "1000", "100000"})
    public int shapes;

    private ShapeFilterIndex<Integer> index;
    private RowValues miss;
    private RowValues hit;

    @Setup
    public void setup() {
        index = new ShapeFilterIndex<>();
        String[] missRow = WhereEvalBenchmark.ROW.clone();
        missRow[0] = "-5";
        String[] hitRow = WhereEvalBenchmark.ROW.clone();
        hitRow[0] = "7";
        switch (kind) {
            case "indexed" -> {
                for (int n = 0; n < shapes; n++) register(n, "id = " + n);
            }
            case "ilike" -> {
                for (int n = 0; n < shapes; n++) register(n, "title ILIKE '%x" + n + "y%'");
                hitRow[1] = "Fix x7y please";
            }
            case "words" -> {
                String target = "kotapu";
                hitRow[1] = missRow[1] + " " + target.toUpperCase();
                String avoid = hitRow[1].toLowerCase();
                Set<String> words = new LinkedHashSet<>();
                words.add(target);
                Random rnd = new Random(1);
                String consonants = "bcdfghklmnprstv", vowels = "aeiou";
                while (words.size() < shapes) {
                    StringBuilder w = new StringBuilder();
                    for (int s = 2 + rnd.nextInt(3); s > 0; s--) {
                        w.append(consonants.charAt(rnd.nextInt(consonants.length()))).append(vowels.charAt(rnd.nextInt(5)));
                    }
                    if (!avoid.contains(w)) words.add(w.toString());
                }
                int n = 0;
                for (String w : words) register(n++, "title ILIKE '%" + w + "%'");
            }
            case "subquery" -> {
                TableResolver sameTable = (schema, table) -> WhereEvalBenchmark.TABLE;
                for (int n = 0; n < shapes; n++) {
                    WhereClause w = WhereClause.parse("id IN (SELECT id FROM t WHERE id = " + n + ")",
                            WhereEvalBenchmark.TABLE, Map.of(), sameTable);
                    List<List<Object>> values = List.of(List.of(3L * n), List.of(3L * n + 1), List.of(3L * n + 2));
                    index.register(n, WhereEvalBenchmark.TABLE, w.routingClause(new FixedValues(values), 10_000));
                }
            }
            default -> throw new IllegalArgumentException(kind);
        }
        miss = i -> missRow[i];
        hit = i -> hitRow[i];
        if (!miss().isEmpty() || hit().size() != 1) throw new IllegalStateException("miss " + miss() + ", hit " + hit());
    }

    /** One sub-select's values, as a shape's consumer holds them. */
    private record FixedValues(List<List<Object>> values) implements SubqueryValues {
        public boolean contains(int subquery, List<Object> key) {
            return values.contains(key);
        }

        public boolean isEmpty(int subquery) {
            return values.isEmpty();
        }

        public boolean hasNulls(int subquery) {
            return false;
        }

        public Collection<List<Object>> values(int subquery) {
            return values;
        }
    }

    private void register(int n, String where) {
        index.register(n, WhereEvalBenchmark.TABLE, WhereClause.parse(where, WhereEvalBenchmark.TABLE, Map.of()));
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
