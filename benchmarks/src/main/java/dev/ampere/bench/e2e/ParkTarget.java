package dev.ampere.bench.e2e;

/** A server whose parked long-polls the heap scenario counts: where to park a request, and how to release them all. */
interface ParkTarget {
    long pid();

    int port();

    /** A request target that parks until {@link #release()}. */
    String parkTarget() throws Exception;

    /** Answers every parked request. */
    void release() throws Exception;
}
