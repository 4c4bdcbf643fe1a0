package dev.ampere.http;

import java.util.Map;
import java.util.Optional;

/**
 * A syntactically valid {@code GET/POST /v1/shape} request (docs/protocol.md §1.3).
 *
 * @param definition the shape definition parameters
 * @param offset     the requested offset or {@code now}
 * @param handle     the client's handle; always empty when the offset is {@code -1} or {@code now}
 * @param live       long-poll (or SSE with {@code liveSse})
 * @param liveSse    {@code live_sse}, or the deprecated {@code experimental_live_sse} when {@code live_sse} is absent
 * @param cursor     the raw {@code cursor} parameter, used only to compute the next cursor (§1.9)
 * @param subset     present iff any {@code subset__*} (or {@code subset[...]}) parameter was sent: the raw values
 *                   keyed without the prefix; such a request is answered with a subset snapshot
 *
 * <p>Immutable.
 */
public record ShapeRequest(ShapeDefinitionParams definition, RequestedOffset offset, Optional<String> handle,
                           boolean live, boolean liveSse, Optional<String> cursor,
                           Optional<Map<String, String>> subset) {
    public ShapeRequest {
        subset = subset.map(m -> java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(m)));
    }

    public boolean isSubset() {
        return subset.isPresent();
    }
}
