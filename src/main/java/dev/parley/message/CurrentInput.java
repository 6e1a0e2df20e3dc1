package dev.parley.message;

import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.validation.constraints.NotNull;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of PUT /conversations/{id}/current. */
@RegisterForReflection
@Schema(name = "CurrentInput")
public record CurrentInput(
        @NotNull @Schema(required = true, description = "Any message of the conversation: the current leaf becomes "
                + "the most recent leaf at or below it") UUID leafId) {
}
