package dev.parley.message;

import com.fasterxml.jackson.annotation.JsonAlias;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of POST …/messages/{id}/edit: the new text of a user message. */
@RegisterForReflection
@Schema(name = "EditInput")
public record EditInput(
        @JsonAlias("text") @Schema(required = true, description = "The new text; `text` is accepted as an alias",
                examples = "Can you plan a trip to Porto instead?") String content,
        @Schema(description = "Metadata of the new version; omitted, it keeps the edited message's")
        Map<String, Object> metadata) {
}
