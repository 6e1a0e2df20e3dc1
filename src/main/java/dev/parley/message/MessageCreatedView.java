package dev.parley.message;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Answer to POST of a message: the stored message, flat, plus the id of the assistant reply that
 * is being generated for it (null when no reply is made).
 */
@RegisterForReflection
@Schema(name = "MessageCreated", allOf = MessageView.class)
public record MessageCreatedView(
        @JsonUnwrapped @Schema(hidden = true) MessageView message,
        @Schema(description = "The pending assistant reply, or null", nullable = true,
                implementation = String.class, format = "uuid") UUID assistantMessageId) {
}
