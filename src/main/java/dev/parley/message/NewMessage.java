package dev.parley.message;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What a new message is, as {@link MessageService#create} stores it: every way in (the REST body,
 * chat, OpenAI items, an edit) says only what it knows and leaves the rest to these defaults (no
 * parent: it follows the conversation's current leaf; no metadata; no tool calls).
 */
public record NewMessage(Role role, String content, UUID parentId, String threadId, String endpoint, String model,
        Map<String, Object> metadata, List<Map<String, Object>> toolCalls) {

    public NewMessage {
        metadata = metadata == null ? Map.of() : metadata;
        toolCalls = toolCalls == null ? List.of() : toolCalls;
    }

    /** A message of this role and content, every other field left to its default. */
    public static NewMessage of(Role role, String content) {
        return new NewMessage(role, content, null, null, null, null, null, null);
    }

    public NewMessage withMetadata(Map<String, Object> metadata) {
        return new NewMessage(role, content, parentId, threadId, endpoint, model, metadata, toolCalls);
    }

    public NewMessage withToolCalls(List<Map<String, Object>> toolCalls) {
        return new NewMessage(role, content, parentId, threadId, endpoint, model, metadata, toolCalls);
    }
}
