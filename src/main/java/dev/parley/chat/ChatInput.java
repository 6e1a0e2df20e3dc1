package dev.parley.chat;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of POST /chat: the user's message and, to continue one, the conversation. */
@RegisterForReflection
@Schema(name = "ChatInput")
public record ChatInput(
        @Schema(required = true, examples = "Hello! What can you do?") String message,
        @Schema(description = "Omit to start a new conversation titled after the message") UUID conversationId) {
}
