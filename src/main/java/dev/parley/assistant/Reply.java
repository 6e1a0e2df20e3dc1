package dev.parley.assistant;

import java.util.List;
import java.util.Map;

/** What a provider answered: the text, and the tool calls it asked for (often none). */
public record Reply(String content, List<Map<String, Object>> toolCalls) {

    public static Reply text(String content) {
        return new Reply(content, List.of());
    }
}
