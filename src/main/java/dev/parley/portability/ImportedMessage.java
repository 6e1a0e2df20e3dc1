package dev.parley.portability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.message.MessageStatus;
import dev.parley.message.Role;
import java.time.Instant;

/**
 * A message read from an import file. Ids are the source's; the store gives it a new id and turns
 * parentSourceId into the new id of that parent.
 */
record ImportedMessage(
        String sourceId,
        String parentSourceId,
        Role role,
        String content,
        MessageStatus status,
        String threadId,
        String endpoint,
        String model,
        JsonNode toolCalls,
        ObjectNode metadata,
        Instant createdAt,
        Instant updatedAt) {

    ImportedMessage withParent(String parent) {
        return new ImportedMessage(sourceId, parent, role, content, status, threadId, endpoint, model, toolCalls,
                metadata, createdAt, updatedAt);
    }
}
