package dev.parley.conversation;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a conversation is made of, as {@link ConversationService#create} and
 * {@link ConversationService#replace} store it: every way in (the REST body, chat, /v1, a fork)
 * says only what it knows and starts from {@link #DEFAULTS} (the default title, no description,
 * no metadata, not archived, not pinned, replies on, no tags, no expiry). The expiry
 * ({@code expiresAt}, or {@code temporary} for the deployment's default time to live) counts at
 * creation only.
 */
public record NewConversation(String title, String description, Map<String, String> metadata, boolean archived,
        boolean pinned, boolean autoReply, List<String> tags, Instant expiresAt, boolean temporary) {

    public static final NewConversation DEFAULTS =
            new NewConversation(null, null, Map.of(), false, false, true, List.of(), null, false);

    public NewConversation {
        metadata = metadata == null ? Map.of() : metadata;
        tags = tags == null ? List.of() : tags;
    }

    public NewConversation withTitle(String title) {
        return new NewConversation(title, description, metadata, archived, pinned, autoReply, tags, expiresAt,
                temporary);
    }

    public NewConversation withMetadata(Map<String, String> metadata) {
        return new NewConversation(title, description, metadata, archived, pinned, autoReply, tags, expiresAt,
                temporary);
    }
}
