package dev.ampere.http;

import java.util.Optional;

/**
 * A valid {@code DELETE /v1/shape} request (docs/protocol.md §1.14): a shape definition, a handle, or both; at least
 * one is present.
 *
 * <p>Immutable.
 */
public record DeleteShapeRequest(Optional<ShapeDefinitionParams> definition, Optional<String> handle) {
}
