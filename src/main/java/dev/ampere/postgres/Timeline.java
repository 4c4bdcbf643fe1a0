package dev.ampere.postgres;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The (system identifier, timeline) pair of the database a stack last streamed from, persisted as
 * {@code state/timeline_id_<stack>} = {@code ["<system id>", <timeline>]}. A different pair after a restart means a
 * restored backup (PITR) or another database: every stored shape is stale and must be purged (docs/protocol.md §3.2).
 *
 * <p>Stateless; writes are atomic (temporary file and rename). Called by the ConnectionManager only.
 */
public final class Timeline {
    private static final JsonFactory JSON = new JsonFactory();

    private Timeline() {}

    /** Compares the identity with the stored one and stores the new one; true when a stored pair differed. */
    public static boolean checkAndPersist(Path storageDir, String stackId, SystemIdentity identity) throws IOException {
        Path file = storageDir.resolve("state").resolve("timeline_id_" + stackId);
        Optional<String> stored = read(file);
        String current = identity.systemId() + "/" + identity.timeline();
        write(file, identity);
        return stored.isPresent() && !stored.get().equals(current);
    }

    private static Optional<String> read(Path file) throws IOException {
        if (!Files.exists(file)) return Optional.empty();
        try (JsonParser p = JSON.createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_ARRAY) return Optional.empty();
            p.nextToken();
            String system = p.getValueAsString();
            p.nextToken();
            int timeline = p.getValueAsInt();
            return Optional.of(system + "/" + timeline);
        } catch (IOException e) {
            return Optional.of("unreadable");
        }
    }

    private static void write(Path file, SystemIdentity identity) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp); JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartArray();
            g.writeString(identity.systemId());
            g.writeNumber(identity.timeline());
            g.writeEndArray();
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
