package dev.parley.openai;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The caller's conversations in the list envelope of items (OpenAI has no such list). */
@RegisterForReflection
@Schema(name = "OpenAiConversationList")
public record ConversationList(
        @Schema(required = true, enumeration = "list") String object,
        @Schema(required = true) List<ConversationObject> data,
        @Schema(required = true, nullable = true) String firstId,
        @Schema(required = true, nullable = true) String lastId,
        @Schema(required = true) boolean hasMore) {

    static ConversationList of(List<ConversationObject> data, boolean hasMore) {
        return new ConversationList("list", data, data.isEmpty() ? null : data.get(0).id(),
                data.isEmpty() ? null : data.get(data.size() - 1).id(), hasMore);
    }
}
