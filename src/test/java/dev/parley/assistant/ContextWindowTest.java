package dev.parley.assistant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.message.Role;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The token budget: newest messages first, the answered message always, the system prompt counted. */
class ContextWindowTest {

    static ContextWindow window(String provider, int budget, String systemPrompt) {
        AssistantConfig.OpenAi openai = proxy(AssistantConfig.OpenAi.class,
                Map.of("systemPrompt", Optional.ofNullable(systemPrompt)));
        ContextWindow window = new ContextWindow();
        window.config = proxy(AssistantConfig.class, Map.of("provider", provider, "contextTokens", budget,
                "tokenizer", "o200k_base", "openai", openai));
        return window;
    }

    @SuppressWarnings("unchecked")
    static <T> T proxy(Class<T> type, Map<String, Object> answers) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, method, args) -> {
            if (!answers.containsKey(method.getName())) {
                throw new UnsupportedOperationException(method.getName());
            }
            return answers.get(method.getName());
        });
    }

    static ContextWindow.Candidate message(Role role, String content) {
        return new ContextWindow.Candidate(UUID.randomUUID(), role, content);
    }

    // In o200k_base "hello world" is 2 tokens; with the 3 of the chat format each such message costs 5.
    static final String FIVE_TOKENS = "hello world";

    @Test
    void workers_asking_at_once_share_one_encoding() throws Exception {
        // After a restart every reply worker counts tokens at the same moment; each copy of
        // o200k_base costs about 35 MB, and twenty of them once exhausted a 192 MiB heap.
        ContextWindow window = window("rules", 100, null);
        int threads = 8;
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(threads)) {
            List<java.util.concurrent.Future<Object>> seen = new java.util.ArrayList<>();
            for (int i = 0; i < threads; i++) {
                seen.add(pool.submit(() -> {
                    start.await();
                    return window.encoding();
                }));
            }
            java.util.Set<Object> distinct = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            for (var future : seen) {
                distinct.add(future.get());
            }
            assertEquals(1, distinct.size(), "one encoding for every thread");
        }
    }

    @Test
    void keeps_the_newest_messages_that_fit_oldest_first() {
        List<ContextWindow.Candidate> newestFirst = List.of(message(Role.USER, FIVE_TOKENS),
                message(Role.ASSISTANT, FIVE_TOKENS), message(Role.USER, FIVE_TOKENS), message(Role.SYSTEM, FIVE_TOKENS));
        ContextWindow.Window fit = window("rules", 12, null).fit(newestFirst, false);
        assertEquals(List.of(newestFirst.get(1).id(), newestFirst.get(0).id()),
                fit.messages().stream().map(ContextWindow.Entry::id).toList());
        assertEquals(List.of(5, 5), fit.messages().stream().map(ContextWindow.Entry::tokens).toList());
        assertEquals(10, fit.totalTokens());
        assertTrue(fit.trimmed());
        assertEquals(12, fit.budget());
    }

    @Test
    void the_answered_message_is_sent_even_over_budget() {
        String longText = "word ".repeat(200);
        ContextWindow.Window fit = window("rules", 50, null).fit(List.of(message(Role.USER, longText),
                message(Role.ASSISTANT, FIVE_TOKENS)), false);
        assertEquals(1, fit.messages().size());
        assertTrue(fit.totalTokens() > 50);
        assertTrue(fit.trimmed());
    }

    @Test
    void the_openai_system_prompt_takes_its_share_of_the_budget() {
        List<ContextWindow.Candidate> newestFirst = List.of(message(Role.USER, FIVE_TOKENS),
                message(Role.ASSISTANT, FIVE_TOKENS));
        ContextWindow.Window openai = window("openai", 12, FIVE_TOKENS).fit(newestFirst, false);
        assertEquals(5, openai.systemPromptTokens());
        assertEquals(1, openai.messages().size());
        assertEquals(10, openai.totalTokens());
        // Other providers send no system prompt, so nothing is reserved for one.
        ContextWindow.Window rules = window("rules", 12, FIVE_TOKENS).fit(newestFirst, false);
        assertEquals(0, rules.systemPromptTokens());
        assertEquals(2, rules.messages().size());
        assertFalse(rules.trimmed());
    }

    @Test
    void a_path_cut_at_the_history_window_is_reported_as_trimmed() {
        ContextWindow.Window fit = window("rules", 8000, null).fit(List.of(message(Role.USER, FIVE_TOKENS)), true);
        assertTrue(fit.trimmed());
        assertEquals(List.of(new Turn(Role.USER, FIVE_TOKENS)), fit.turns());
    }
}
