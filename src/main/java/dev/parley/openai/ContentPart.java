package dev.parley.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** One part of a message item's content: input_text for what a user, system or tool said, output_text for the assistant. */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = "OpenAiContentPart")
public record ContentPart(
        @Schema(required = true, enumeration = {"input_text", "output_text"}) String type,
        @Schema(required = true) String text,
        @Schema(description = "output_text only: always empty (Parley keeps no citations)") List<Object> annotations,
        @Schema(description = "output_text only: always empty") List<Object> logprobs) {

    static ContentPart input(String text) {
        return new ContentPart("input_text", text, null, null);
    }

    static ContentPart output(String text) {
        return new ContentPart("output_text", text, List.of(), List.of());
    }
}
