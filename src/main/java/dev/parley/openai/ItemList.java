package dev.parley.openai;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** OpenAI's list envelope of items; pass last_id as after for the next page while has_more. */
@RegisterForReflection
@Schema(name = "OpenAiItemList")
public record ItemList(
        @Schema(required = true, enumeration = "list") String object,
        @Schema(required = true) List<Item> data,
        @Schema(required = true, nullable = true) String firstId,
        @Schema(required = true, nullable = true) String lastId,
        @Schema(required = true) boolean hasMore) {

    static ItemList of(List<Item> data, boolean hasMore) {
        return new ItemList("list", data, data.isEmpty() ? null : data.get(0).id(),
                data.isEmpty() ? null : data.get(data.size() - 1).id(), hasMore);
    }
}
