package dev.parley.openai;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.annotations.RegisterForReflection;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of POST /v1/conversations/{id}/items. */
@RegisterForReflection
@Schema(name = "OpenAiItemsCreate")
public record ItemsCreate(
        @Schema(required = true, type = SchemaType.ARRAY, implementation = Object.class,
                description = "1 to 20 items: messages {type?: \"message\", role, content: string or "
                        + "[{type: input_text|output_text|text, text}]}, function_call {call_id, name, arguments} "
                        + "or function_call_output {call_id, output}") JsonNode items) {
}
