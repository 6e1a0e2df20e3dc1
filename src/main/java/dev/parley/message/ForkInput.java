package dev.parley.message;

import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of POST /conversations/{id}/fork. */
@RegisterForReflection
@Schema(name = "ForkInput")
public record ForkInput(
        @NotNull @Schema(required = true, description = "The last message to copy; the path from the root to it "
                + "is copied") UUID messageId,
        @Size(max = 255) @Schema(maxLength = 255, description = "Omitted or blank: the source conversation's title")
        String title) {
}
