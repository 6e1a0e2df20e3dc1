package dev.parley.conversation;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** A conversation as the API shows it. */
@RegisterForReflection
public record ConversationView(
        UUID id,
        String title,
        String description,
        boolean archived,
        boolean pinned,
        boolean autoReply,
        Map<String, String> metadata,
        int messageCount,
        Instant lastMessageAt,
        Instant createdAt,
        Instant updatedAt,
        Instant expiresAt) {

    public static ConversationView of(Conversation c) {
        return new ConversationView(c.id, c.title, c.description, c.archived, c.pinned, c.autoReply, c.metadata,
                c.messageCount, c.lastMessageAt, c.createdAt, c.updatedAt, c.expiresAt);
    }
}
