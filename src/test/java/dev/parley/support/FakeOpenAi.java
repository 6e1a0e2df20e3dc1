package dev.parley.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local server that speaks the OpenAI chat-completions protocol (JSON and SSE streaming) with
 * answers the test scripts, and records every request it gets.
 */
public class FakeOpenAi implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One scripted answer. A streamed answer with a gate sends each chunk only once the test
     * opened the gate for it, so a test decides exactly when each token reaches the service; a
     * broken one then drops the connection instead of finishing the stream.
     */
    public record Answer(int status, String text, List<String> chunks, List<Map<String, Object>> toolCalls,
            long delayMillis, Gate gate, boolean broken) {

        Answer(int status, String text, List<String> chunks, List<Map<String, Object>> toolCalls, long delayMillis) {
            this(status, text, chunks, toolCalls, delayMillis, null, false);
        }
    }

    /** Lets a gated answer's chunks out one by one. */
    public static final class Gate {
        private final Semaphore permits = new Semaphore(0);
        /** Chunks the fake has sent so far. */
        public final AtomicInteger sent = new AtomicInteger();

        /** Lets the next {@code chunks} chunks out. */
        public void open(int chunks) {
            permits.release(chunks);
        }

        boolean await() throws InterruptedException {
            return permits.tryAcquire(120, TimeUnit.SECONDS);
        }
    }

    public record Recorded(String authorization, JsonNode body) {
    }

    private final HttpServer server;
    private final ConcurrentLinkedDeque<Answer> script = new ConcurrentLinkedDeque<>();
    private volatile Answer fallback = text("fallback answer");
    public final List<Recorded> requests = new CopyOnWriteArrayList<>();
    /** The most requests this server was answering at one time. */
    public final java.util.concurrent.atomic.AtomicInteger mostAtOnce = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger atOnce = new java.util.concurrent.atomic.AtomicInteger();

    public FakeOpenAi() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        // Daemon threads: an answer scripted to be slow never keeps the test JVM alive.
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "fake-openai");
            thread.setDaemon(true);
            return thread;
        }));
        server.createContext("/v1/chat/completions", this::handle);
        server.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    public static Answer text(String text) {
        return new Answer(200, text, null, List.of(), 0);
    }

    public static Answer streamed(String... chunks) {
        return new Answer(200, String.join("", chunks), List.of(chunks), List.of(), 0);
    }

    /** Streams the chunks, each once the gate lets it out. */
    public static Answer gated(Gate gate, String... chunks) {
        return new Answer(200, String.join("", chunks), List.of(chunks), List.of(), 0, gate, false);
    }

    /** Streams the chunks through the gate, then drops the connection mid-stream (a provider failure). */
    public static Answer gatedThenBroken(Gate gate, String... chunks) {
        return new Answer(200, String.join("", chunks), List.of(chunks), List.of(), 0, gate, true);
    }

    public static Answer status(int status) {
        return new Answer(status, null, null, List.of(), 0);
    }

    public static Answer slow(String text, long delayMillis) {
        return new Answer(200, text, null, List.of(), delayMillis);
    }

    public static Answer toolCall(String name, String arguments) {
        return new Answer(200, null, null, List.of(Map.of("id", "call_1", "type", "function",
                "function", Map.of("name", name, "arguments", arguments))), 0);
    }

    public FakeOpenAi then(Answer answer) {
        script.add(answer);
        return this;
    }

    public FakeOpenAi always(Answer answer) {
        script.clear();
        fallback = answer;
        return this;
    }

    public void reset() {
        script.clear();
        requests.clear();
        mostAtOnce.set(0);
        fallback = text("fallback answer");
    }

    private void handle(HttpExchange exchange) throws IOException {
        mostAtOnce.accumulateAndGet(atOnce.incrementAndGet(), Math::max);
        try (exchange) {
            JsonNode body = JSON.readTree(exchange.getRequestBody());
            requests.add(new Recorded(exchange.getRequestHeaders().getFirst("Authorization"), body));
            Answer answer = script.isEmpty() ? fallback : script.poll();
            if (answer.delayMillis() > 0) {
                Thread.sleep(answer.delayMillis());
            }
            if (answer.status() != 200) {
                byte[] error = ("{\"error\":{\"message\":\"scripted " + answer.status() + "\",\"type\":\"server_error\"}}")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(answer.status(), error.length);
                exchange.getResponseBody().write(error);
                return;
            }
            String model = body.path("model").asText();
            if (body.path("stream").asBoolean(false)) {
                exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
                // A broken stream promises more than it sends, so closing it is an abrupt end to the client.
                exchange.sendResponseHeaders(200, answer.broken() ? 1_000_000 : 0);
                OutputStream out = exchange.getResponseBody();
                List<String> chunks = answer.chunks() != null ? answer.chunks() : List.of(answer.text());
                for (String chunk : chunks) {
                    if (answer.gate() != null && !answer.gate().await()) {
                        return;
                    }
                    event(out, Map.of("id", "chatcmpl-1", "object", "chat.completion.chunk", "model", model,
                            "choices", List.of(Map.of("index", 0, "delta", Map.of("content", chunk)))));
                    if (answer.gate() != null) {
                        answer.gate().sent.incrementAndGet();
                    }
                    Thread.sleep(5);
                }
                if (answer.broken()) {
                    return;
                }
                event(out, Map.of("id", "chatcmpl-1", "object", "chat.completion.chunk", "model", model,
                        "choices", List.of(Map.of("index", 0, "delta", Map.of(), "finish_reason", "stop"))));
                out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                return;
            }
            Map<String, Object> message = answer.toolCalls().isEmpty()
                    ? Map.of("role", "assistant", "content", answer.text())
                    : Map.of("role", "assistant", "tool_calls", answer.toolCalls());
            byte[] json = JSON.writeValueAsBytes(Map.of("id", "chatcmpl-1", "object", "chat.completion",
                    "created", 1, "model", model,
                    "choices", List.of(Map.of("index", 0, "message", message,
                            "finish_reason", answer.toolCalls().isEmpty() ? "stop" : "tool_calls")),
                    "usage", Map.of("prompt_tokens", 1, "completion_tokens", 1, "total_tokens", 2)));
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, json.length);
            exchange.getResponseBody().write(json);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // The client gave up (a timeout under test); nothing to answer.
        } finally {
            atOnce.decrementAndGet();
        }
    }

    private static void event(OutputStream out, Object data) throws IOException {
        out.write(("data: " + JSON.writeValueAsString(data) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
