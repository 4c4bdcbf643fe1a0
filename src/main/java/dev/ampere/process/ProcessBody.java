package dev.ampere.process;

/**
 * The code a process runs. It owns whatever state it creates and reads its mailbox through the context. Returning
 * ends the process normally; throwing crashes it; an {@link InterruptedException} while the process is being
 * stopped counts as a shutdown. A body that should give up its thread while idle is a {@link HibernatingBody}.
 */
@FunctionalInterface
public interface ProcessBody {
    void run(ProcessContext ctx) throws Exception;
}
