package dev.parley.assistant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.message.Role;
import dev.parley.support.FakeOpenAi;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The openai provider against a local server that speaks the protocol. */
class OpenAiAssistantTest {

    FakeOpenAi server;

    @BeforeEach
    void start() {
        server = new FakeOpenAi();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    OpenAiAssistant assistant(int maxRetries, Duration timeout, String systemPrompt) {
        String baseUrl = server.baseUrl();
        return new OpenAiAssistant(new AssistantConfig.OpenAi() {
            public String baseUrl() {
                return baseUrl;
            }

            public Optional<String> apiKey() {
                return Optional.of("sk-test");
            }

            public String model() {
                return "gpt-test";
            }

            public Duration timeout() {
                return timeout;
            }

            public int maxRetries() {
                return maxRetries;
            }

            public Optional<String> systemPrompt() {
                return Optional.ofNullable(systemPrompt);
            }

            public Optional<Double> temperature() {
                return Optional.empty();
            }
        });
    }

    static final List<Turn> HISTORY = List.of(
            new Turn(Role.SYSTEM, "Be brief."),
            new Turn(Role.USER, "Hi"),
            new Turn(Role.ASSISTANT, "Hello!"),
            new Turn(Role.USER, "Capital of Portugal?"));

    @Test
    void sends_the_model_the_key_and_the_whole_history() {
        server.then(FakeOpenAi.text("Lisbon."));
        Reply reply = assistant(0, Duration.ofSeconds(5), "You are Parley.").reply(HISTORY);

        assertEquals("Lisbon.", reply.content());
        assertEquals(List.of(), reply.toolCalls());
        assertEquals(1, server.requests.size());
        assertEquals("Bearer sk-test", server.requests.get(0).authorization());
        JsonNode body = server.requests.get(0).body();
        assertEquals("gpt-test", body.path("model").asText());
        List<String> roles = new ArrayList<>();
        List<String> contents = new ArrayList<>();
        body.path("messages").forEach(m -> {
            roles.add(m.path("role").asText());
            contents.add(m.path("content").asText());
        });
        assertEquals(List.of("system", "system", "user", "assistant", "user"), roles);
        assertEquals(List.of("You are Parley.", "Be brief.", "Hi", "Hello!", "Capital of Portugal?"), contents);
    }

    @Test
    void carries_tool_calls_through() {
        server.then(FakeOpenAi.toolCall("get_weather", "{\"city\":\"Lisbon\"}"));
        Reply reply = assistant(0, Duration.ofSeconds(5), null).reply(HISTORY);
        assertEquals("", reply.content());
        assertEquals(1, reply.toolCalls().size());
        Map<String, Object> call = reply.toolCalls().get(0);
        assertEquals("call_1", call.get("id"));
        assertEquals(Map.of("name", "get_weather", "arguments", "{\"city\":\"Lisbon\"}"), call.get("function"));
    }

    @Test
    void streams_the_reply_chunk_by_chunk() {
        server.then(FakeOpenAi.streamed("Lis", "bon", " is the capital."));
        List<String> deltas = new ArrayList<>();
        Reply reply = assistant(0, Duration.ofSeconds(5), null).stream(HISTORY, deltas::add);
        assertEquals(List.of("Lis", "bon", " is the capital."), deltas);
        assertEquals("Lisbon is the capital.", reply.content());
        assertTrue(server.requests.get(0).body().path("stream").asBoolean());
    }

    @Test
    void retries_server_errors_and_rate_limits_then_succeeds() {
        server.then(FakeOpenAi.status(500)).then(FakeOpenAi.status(429)).then(FakeOpenAi.text("finally"));
        Reply reply = assistant(2, Duration.ofSeconds(5), null).reply(HISTORY);
        assertEquals("finally", reply.content());
        assertEquals(3, server.requests.size());
    }

    @Test
    void gives_up_after_the_configured_retries() {
        server.always(FakeOpenAi.status(500));
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> assistant(1, Duration.ofSeconds(5), null).reply(HISTORY));
        assertEquals(2, server.requests.size());
        assertTrue(e.getClass().getName().startsWith("dev.langchain4j"), e.getClass().getName());
    }

    @Test
    void a_model_that_answers_too_late_is_a_failure() {
        server.always(FakeOpenAi.slow("too late", 3_000));
        long start = System.nanoTime();
        assertThrows(RuntimeException.class, () -> assistant(0, Duration.ofSeconds(1), null).reply(HISTORY));
        assertTrue(System.nanoTime() - start < Duration.ofMillis(2_900).toNanos(), "gave up before the answer came");
    }

    @Test
    void a_stream_that_fails_throws() {
        server.always(FakeOpenAi.status(500));
        assertThrows(RuntimeException.class,
                () -> assistant(0, Duration.ofSeconds(5), null).stream(HISTORY, delta -> { }));
    }
}
