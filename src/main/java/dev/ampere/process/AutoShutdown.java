package dev.ampere.process;

/** Whether a supervisor stops itself when its significant children exit (Erlang's auto_shutdown). */
public enum AutoShutdown {
    NEVER,
    /** Stop as soon as any significant child exits without being restarted. */
    ANY_SIGNIFICANT,
    /** Stop once every significant child has exited without being restarted. */
    ALL_SIGNIFICANT
}
