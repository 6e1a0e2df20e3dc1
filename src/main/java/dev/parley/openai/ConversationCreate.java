package dev.parley.openai;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of POST /v1/conversations (create) and POST /v1/conversations/{id} (update: metadata only). */
@RegisterForReflection
@Schema(name = "OpenAiConversationCreate")
public record ConversationCreate(
        @Schema(description = "Up to 16 keys (≤ 64 chars) with string values (≤ 512 chars)") Map<String, String> metadata,
        @Schema(type = SchemaType.ARRAY, implementation = Object.class,
                description = "Up to 20 items to start with (create only); see POST …/items") JsonNode items) {
}
