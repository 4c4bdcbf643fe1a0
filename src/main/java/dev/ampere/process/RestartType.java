package dev.ampere.process;

/** When a supervisor restarts a child that exited (Erlang's restart types). */
public enum RestartType {
    /** Always restarted. */
    PERMANENT,
    /** Restarted only after a crash; a normal exit or shutdown ends it. */
    TRANSIENT,
    /** Never restarted; removed from the supervisor when it exits. */
    TEMPORARY;

    boolean restartsAfter(ExitReason reason) {
        return switch (this) {
            case PERMANENT -> true;
            case TRANSIENT -> reason.isAbnormal();
            case TEMPORARY -> false;
        };
    }
}
