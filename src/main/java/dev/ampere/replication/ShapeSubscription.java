package dev.ampere.replication;

import dev.ampere.process.ProcessRef;

/**
 * A shape's consumer as the ShapeLogCollector routes to it: the handle, the table it reads ({@code schema}.{@code
 * table}, as pgoutput names it) and the consumer process. Which changes of the table can affect the shape is the
 * filter's business; the collector only guarantees that the consumer sees every transaction touching its table
 * that the filter lets through.
 */
public record ShapeSubscription(String handle, String schema, String table, ShapeMatcher matcher, ProcessRef consumer) {}
