package dev.parley.portability;

import java.time.Instant;
import java.util.Map;

/** A conversation read from an import file, before it is stored under new ids. */
record ImportedConversation(
        String sourceId,
        String title,
        String description,
        boolean archived,
        boolean pinned,
        boolean autoReply,
        Map<String, String> metadata,
        Instant createdAt,
        Instant updatedAt,
        Instant expiresAt) {
}
