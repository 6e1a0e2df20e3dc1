package dev.parley.conversation;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A conversation as the API shows it. */
@RegisterForReflection
public record ConversationView(
        UUID id,
        @Schema(description = "The owner: the sub of the token that created it", examples = "alice") String userId,
        String title,
        @Schema(nullable = true) String description,
        boolean archived,
        boolean pinned,
        boolean autoReply,
        Map<String, String> metadata,
        @Schema(description = "Short labels; GET /api/conversations?tag=… filters by them") List<String> tags,
        int messageCount,
        @Schema(nullable = true, implementation = String.class, format = "date-time",
                description = "null until the first message") Instant lastMessageAt,
        Instant createdAt,
        Instant updatedAt,
        @Schema(nullable = true, implementation = String.class, format = "date-time",
                description = "when a temporary conversation is purged; null for a lasting one") Instant expiresAt,
        @Schema(nullable = true, implementation = String.class, format = "uuid",
                description = "The last message of the active path (the branch shown and sent to the model); "
                        + "null while the conversation has no messages") UUID currentLeafId) {

    public static ConversationView of(Conversation c) {
        return new ConversationView(c.id, c.userId, c.title, c.description, c.archived, c.pinned, c.autoReply,
                c.metadata, c.tags, c.messageCount, c.lastMessageAt, c.createdAt, c.updatedAt, c.expiresAt, c.currentLeafId);
    }
}
