package dev.parley.openai;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * OpenAI's response object, for the subset Parley serves: one assistant message as output, made by
 * Parley's provider through the reply lifecycle. Fields the SDKs require are always present; those
 * for features Parley does not offer carry their neutral value (no tools, default sampling).
 */
@RegisterForReflection
@Schema(name = "OpenAiResponse")
public record ResponseObject(
        @Schema(required = true, description = "resp_ + the conversation and the reply, so GET finds it again")
        String id,
        @Schema(required = true, enumeration = "response") String object,
        @Schema(required = true, description = "Unix seconds") long createdAt,
        @Schema(required = true, enumeration = {"completed", "failed", "in_progress"},
                description = "in_progress: the reply went to another instance; GET the response later") String status,
        @Schema(required = true, nullable = true, type = SchemaType.OBJECT,
                description = "{code: server_error, message} when the status is failed, else null")
        Map<String, String> error,
        @Schema(required = true, nullable = true, type = SchemaType.OBJECT, description = "always null")
        Object incompleteDetails,
        @Schema(required = true, nullable = true) String instructions,
        @Schema(required = true, nullable = true, implementation = Integer.class) Integer maxOutputTokens,
        @Schema(required = true) Map<String, String> metadata,
        @Schema(required = true, description = "The model that answered, or the provider when it names none")
        String model,
        @Schema(required = true) List<Item> output,
        @Schema(required = true) boolean parallelToolCalls,
        @Schema(required = true, nullable = true) String previousResponseId,
        @Schema(required = true, nullable = true, implementation = Double.class) Double temperature,
        @Schema(required = true, enumeration = "auto") String toolChoice,
        @Schema(required = true) List<Object> tools,
        @Schema(required = true, nullable = true, implementation = Double.class) Double topP,
        @Schema(required = true, enumeration = "disabled") String truncation,
        @Schema(required = true, nullable = true, type = SchemaType.OBJECT,
                description = "null: the provider's token counts are not kept") Object usage,
        @Schema(required = true) ConversationRef conversation,
        @Schema(required = true) boolean store,
        @Schema(required = true) boolean background) {

    @RegisterForReflection
    @Schema(name = "OpenAiConversationRef")
    public record ConversationRef(@Schema(required = true) String id) {
    }

    /** OpenAI's error of a failed response: {code, message}. */
    static Map<String, String> error(String message) {
        return Map.of("code", "server_error", "message", message);
    }

    static ResponseObject of(String id, long createdAt, String status, Map<String, String> error, String instructions,
            String model, List<Item> output, String conversationId) {
        return new ResponseObject(id, "response", createdAt, status, error, null, instructions, null, Map.of(), model,
                output, true, null, null, "auto", List.of(), null, "disabled", null,
                new ConversationRef(conversationId), true, false);
    }
}
