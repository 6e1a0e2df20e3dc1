package dev.parley.openai;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.annotations.RegisterForReflection;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Body of POST /v1/responses: the chat subset. Other fields of OpenAI's API are ignored when they
 * only tune the model, and refused (400 naming the field) when they ask for what Parley cannot do.
 */
@RegisterForReflection
@Schema(name = "OpenAiResponseCreate")
public record ResponseCreate(
        @Schema(description = "Echoed back; Parley's configured provider and model answer") String model,
        @Schema(required = true, implementation = Object.class,
                description = "A string (one user message), or items whose last one is a user message") JsonNode input,
        @Schema(implementation = Object.class,
                description = "conv_… or {id: conv_…}; omitted: a new conversation titled after the input")
        JsonNode conversation,
        @Schema(description = "Stored as a system message before the input, so the model sees it") String instructions,
        @Schema(description = "true: server-sent events in OpenAI's names") Boolean stream,
        @Schema(description = "Must be true or omitted: Parley stores every response") Boolean store,
        @Schema(description = "Not supported (400)") Boolean background,
        @Schema(description = "Not supported (400): pass the conversation instead") String previousResponseId,
        @Schema(type = SchemaType.ARRAY, implementation = Object.class, description = "Not supported (400) unless empty")
        JsonNode tools,
        @Schema(implementation = Object.class, description = "Not supported (400)") JsonNode prompt) {
}
