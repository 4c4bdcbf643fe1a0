package dev.ampere.http;

/** The {@code replica} request parameter (PROTOCOL.md §1.12): what update and delete messages carry. */
public enum ReplicaMode {
    DEFAULT, FULL
}
