package dev.parley.message;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A message as the API shows it. */
@RegisterForReflection
public record MessageView(
        UUID id,
        UUID conversationId,
        @Schema(description = "The owner: the sub of the token that created it", examples = "alice") String userId,
        Role role,
        String content,
        MessageStatus status,
        @Schema(nullable = true, implementation = String.class, format = "uuid",
                description = "The message this one follows; null only for a conversation's first message "
                        + "(and the edits of it)") UUID parentId,
        @Schema(nullable = true) String threadId,
        @Schema(nullable = true) String endpoint,
        @Schema(nullable = true) String model,
        List<Map<String, Object>> toolCalls,
        Map<String, Object> metadata,
        Instant createdAt,
        Instant updatedAt,
        @Schema(description = "Position among the messages sharing this one's parent (its edits or regenerations), "
                + "oldest first, from 0") int siblingIndex,
        @Schema(description = "How many messages share this one's parent, itself included; more than 1 means "
                + "there are branches to switch to") int siblingCount) {

    public static MessageView of(Message m, SiblingPosition position) {
        return new MessageView(m.id, m.conversationId, m.userId, m.role, m.content, m.status, m.parentId, m.threadId,
                m.endpoint, m.model, m.toolCalls, m.metadata, m.createdAt, m.updatedAt, position.index(),
                position.count());
    }
}
