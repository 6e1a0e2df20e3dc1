package dev.parley.message;

import com.fasterxml.jackson.annotation.JsonAlias;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of POST (create) and PUT (full replace) of a message; PUT cannot change the role. */
@RegisterForReflection
@Schema(name = "MessageInput")
public record MessageInput(
        @NotNull @Schema(required = true, examples = "user") Role role,
        @JsonAlias("text") @Schema(description = "The text; `text` is accepted as an alias",
                examples = "Hello! Can you help me plan a trip?") String content,
        @Schema(description = "The message this one answers, in the same conversation") UUID parentId,
        @Size(max = 255) @Schema(maxLength = 255) String threadId,
        @Size(max = 100) @Schema(maxLength = 100, examples = "openai") String endpoint,
        @Size(max = 255) @Schema(maxLength = 255, examples = "gpt-4o-mini") String model,
        @Schema(description = "Up to 16 keys (≤ 64 chars); values are strings (≤ 512 chars), numbers, booleans or null")
        Map<String, Object> metadata,
        @Size(max = 128) @Schema(description = "Tool calls as the model reported them")
        List<Map<String, Object>> toolCalls) {

    /** The message this body asks to store. */
    public NewMessage toNewMessage() {
        return new NewMessage(role, content, parentId, threadId, endpoint, model, metadata, toolCalls);
    }
}
