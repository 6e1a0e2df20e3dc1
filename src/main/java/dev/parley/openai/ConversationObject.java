package dev.parley.openai;

import dev.parley.conversation.Conversation;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** OpenAI's conversation object. */
@RegisterForReflection
@Schema(name = "OpenAiConversation")
public record ConversationObject(
        @Schema(required = true, examples = "conv_0193c2a1b2c37d4e8f9a0b1c2d3e4f50") String id,
        @Schema(required = true, enumeration = "conversation") String object,
        @Schema(required = true, description = "Unix seconds") long createdAt,
        @Schema(required = true, description = "Up to 16 string values") Map<String, String> metadata) {

    static ConversationObject of(Conversation c) {
        return new ConversationObject(OpenAiIds.conversation(c.id), "conversation", c.createdAt.getEpochSecond(),
                c.metadata);
    }
}
