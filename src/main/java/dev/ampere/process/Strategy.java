package dev.ampere.process;

/** Which children a supervisor restarts when one of them exits and is to be restarted. */
public enum Strategy {
    /** Only the child that exited. */
    ONE_FOR_ONE,
    /** The child that exited and every child started after it (stopped in reverse order, restarted in order). */
    REST_FOR_ONE,
    /** All children (stopped in reverse order, restarted in order). */
    ONE_FOR_ALL
}
