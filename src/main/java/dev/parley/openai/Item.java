package dev.parley.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A conversation item: a message ({@code type: "message"}), or the two halves of a tool call
 * ({@code function_call}, {@code function_call_output}). Each is one Parley message; fields that
 * do not belong to the item's type are left out.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = "OpenAiItem")
public record Item(
        @Schema(required = true, enumeration = {"message", "function_call", "function_call_output"}) String type,
        @Schema(required = true, examples = "msg_0193c2a1b2c37d4e8f9a0b1c2d3e4f51") String id,
        @Schema(required = true, enumeration = {"in_progress", "completed", "incomplete"}) String status,
        @Schema(description = "message only", enumeration = {"user", "assistant", "system", "tool"}) String role,
        @Schema(description = "message only") List<ContentPart> content,
        @Schema(description = "function_call and function_call_output") String callId,
        @Schema(description = "function_call only") String name,
        @Schema(description = "function_call only: the arguments as a JSON string") String arguments,
        @Schema(description = "function_call_output only") String output) {

    static Item message(String id, String status, String role, List<ContentPart> content) {
        return new Item("message", id, status, role, content, null, null, null, null);
    }

    static Item functionCall(String id, String callId, String name, String arguments) {
        return new Item("function_call", id, "completed", null, null, callId, name, arguments, null);
    }

    static Item functionCallOutput(String id, String callId, String output) {
        return new Item("function_call_output", id, "completed", null, null, callId, null, null, output);
    }
}
