package dev.parley.chat;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Answer of POST /chat, and the data of the final `done` event when streaming. */
@RegisterForReflection
public record ChatAnswer(UUID conversationId, String userId, UUID messageId, String response, UUID responseMessageId,
        List<Map<String, Object>> toolCalls) {
}
