package dev.ampere.bench.process;

import dev.ampere.process.Call;
import dev.ampere.process.ProcessRef;
import dev.ampere.process.Processes;
import org.openjdk.jmh.annotations.*;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The cost of one message: {@code send} throughput to a process that drains its mailbox, and the round-trip
 * latency of a {@code call} (request and reply through a mailbox and a future).
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.Throughput})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-preview"})
public class MessagingBenchmark {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int BATCH = 1000;

    private ProcessRef counter;
    private ProcessRef echo;

    @Setup
    public void setUp() {
        counter = Processes.spawn("counter", ctx -> {
            long n = 0;
            while (true) {
                Object m = ctx.receive();
                if (m instanceof CountDownLatch latch) latch.countDown();
                else n++;
            }
        });
        echo = Processes.spawn("echo", ctx -> {
            while (true) {
                if (ctx.receive() instanceof Call c) c.reply(c.request());
            }
        });
    }

    @TearDown
    public void tearDown() throws InterruptedException {
        counter.stop(TIMEOUT);
        echo.stop(TIMEOUT);
    }

    /** Sends a batch of {@value #BATCH} messages and waits until the receiver has taken them all. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void sendAndDrain() throws InterruptedException {
        for (int i = 0; i < BATCH; i++) counter.send(i);
        CountDownLatch done = new CountDownLatch(1);
        counter.send(done);
        done.await();
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Object callRoundTrip() throws InterruptedException {
        return echo.call("ping", TIMEOUT);
    }
}
