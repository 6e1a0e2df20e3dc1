package dev.parley.openai;

import io.quarkus.runtime.annotations.RegisterForReflection;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Answer of DELETE /v1/conversations/{id}. */
@RegisterForReflection
@Schema(name = "OpenAiConversationDeleted")
public record ConversationDeleted(
        @Schema(required = true) String id,
        @Schema(required = true, enumeration = "conversation.deleted") String object,
        @Schema(required = true) boolean deleted) {
}
