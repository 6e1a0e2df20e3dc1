package dev.parley.conversation;

import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Body of POST (create) and PUT (full replace). Fields left out take their defaults:
 * title "New Conversation", no description, not archived, not pinned, auto_reply on, no metadata,
 * no tags, no expiry. The expiry (expires_at, or temporary for the configured default) is set at creation only.
 */
@RegisterForReflection
@Schema(name = "ConversationInput")
public record ConversationInput(
        @Size(max = 255) @Schema(examples = "Trip to Lisbon", maxLength = 255) String title,
        @Size(max = 500) @Schema(examples = "Planning the itinerary", maxLength = 500) String description,
        @Schema(description = "Up to 16 keys (≤ 64 chars) with string values (≤ 512 chars)")
        Map<String, String> metadata,
        Boolean archived,
        Boolean pinned,
        @Schema(description = "Whether user messages get assistant replies", defaultValue = "true")
        Boolean autoReply,
        @Schema(description = "Create a temporary conversation, deleted with its messages after this instant "
                + "(must be in the future; only on create)")
        Instant expiresAt,
        @Schema(description = "Create a temporary conversation that expires after the deployment's default "
                + "time to live (parley.conversations.temporary-ttl); ignored when expires_at is given")
        Boolean temporary,
        @Schema(description = TAGS) List<String> tags) {

    static final String TAGS = "Up to 16 short labels (1..32 characters each, no duplicates)";

    /** A POST without a body: every field left to its default. */
    static final ConversationInput EMPTY = new ConversationInput(null, null, null, null, null, null, null, null, null);

    /** What the body asks for, with the defaults filled in where it is silent. */
    NewConversation toNewConversation() {
        return new NewConversation(title, description, metadata, Boolean.TRUE.equals(archived),
                Boolean.TRUE.equals(pinned), autoReply == null || autoReply, tags, expiresAt,
                Boolean.TRUE.equals(temporary));
    }
}
