package dev.parley.chat;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Body of POST /chat: the user's message and, to continue one, the conversation; or, with
 * regenerate, no message and another answer at the conversation's current leaf.
 */
@RegisterForReflection
@Schema(name = "ChatInput")
public record ChatInput(
        @Schema(description = "Required unless regenerate is true (then it must be omitted)",
                examples = "Hello! What can you do?") String message,
        @Schema(description = "Omit to start a new conversation titled after the message; required with regenerate")
        UUID conversationId,
        @Schema(description = "Answer the conversation's current message again instead of sending one: a new "
                + "version of the current reply (a sibling), or a first reply when the current leaf is a user "
                + "message", defaultValue = "false") Boolean regenerate) {
}
