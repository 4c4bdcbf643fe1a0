package dev.ampere.bench.e2e;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * What every scenario of one run shares: the database, the baseline stream, how to launch Ampere, the run's
 * temporary directory, its settings and its deadline (every wait of every scenario is bounded by it as well).
 */
record RunContext(Database db, ReplicationBaseline baseline, ServerProcess.Launch launch, Path workDir,
        Settings settings, long deadlineNanos) {

    ServerProcess startAmpere(String name, Map<String, String> env)
            throws IOException, InterruptedException, TimeoutException {
        return ServerProcess.ampere(launch, name, db, workDir, env);
    }

    /** The earlier of {@code now + seconds} and the run's deadline. */
    long deadlineIn(double seconds) {
        return Math.min(deadlineNanos, System.nanoTime() + (long) (seconds * 1e9));
    }

    void checkTime(String what) throws TimeoutException {
        if (System.nanoTime() > deadlineNanos) throw new TimeoutException("run budget spent before " + what);
    }
}
