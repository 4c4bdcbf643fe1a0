package dev.ampere.bench.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads another JVM's live heap with {@code jcmd}: two {@code GC.run} (full collections) and then
 * {@code GC.heap_info}, whose first "used NNNK" is the heap in use after them.
 */
final class HeapProbe {
    private static final Pattern USED = Pattern.compile("used (\\d+)K");

    private HeapProbe() {}

    static long liveHeapKb(Path jcmd, long pid) throws IOException, InterruptedException {
        run(jcmd, pid, "GC.run");
        run(jcmd, pid, "GC.run");
        String info = run(jcmd, pid, "GC.heap_info");
        Matcher m = USED.matcher(info);
        if (!m.find()) throw new IOException("no heap figure in jcmd output: " + info);
        return Long.parseLong(m.group(1));
    }

    private static String run(Path jcmd, long pid, String command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("e2e-jcmd", ".txt");
        try {
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("jcmd " + command + " did not finish within 60 s");
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) throw new IOException("jcmd " + command + " failed: " + text);
            return text;
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
