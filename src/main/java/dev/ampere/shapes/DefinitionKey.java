package dev.ampere.shapes;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A shape definition's identity for deduplication (docs/protocol.md §2.6): the first 128 bits of the SHA-256 of its
 * canonical form ({@link ShapeDefinition#canonical()}). Two definitions share a shape exactly when their canonical
 * forms are equal; at 128 bits two different forms colliding is not a practical event, so the key stands for the form.
 * Kept instead of the form itself wherever it lives as long as its shape (the shape table's index, the HTTP layer's
 * aliases): 32 bytes against the form's hundred or more.
 *
 * <p>Immutable.
 */
public record DefinitionKey(long high, long low) {
    static DefinitionKey of(String canonical) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            ByteBuffer b = ByteBuffer.wrap(digest);
            return new DefinitionKey(b.getLong(), b.getLong());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
