package dev.parley.assistant;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.LangChain4jException;
import dev.langchain4j.exception.RetriableException;
import dev.langchain4j.http.client.jdk.JdkHttpClientBuilder;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Any OpenAI-compatible chat-completions server, through LangChain4j's client: the conversation
 * history goes along as context, the client retries 429/5xx/network failures, and a call that
 * still fails throws, which the caller records as a failed reply.
 */
public class OpenAiAssistant implements Assistant {

    private static final Duration RETRY_PAUSE = Duration.ofMillis(500);

    private final AssistantConfig.OpenAi config;
    private final ChatModel chat;
    private final StreamingChatModel streaming;

    public OpenAiAssistant(AssistantConfig.OpenAi config) {
        this.config = config;
        String apiKey = config.apiKey().orElse("unused");
        this.chat = OpenAiChatModel.builder()
                .httpClientBuilder(httpClient(config))
                .baseUrl(config.baseUrl())
                .apiKey(apiKey)
                .modelName(config.model())
                .timeout(config.timeout())
                .maxRetries(config.maxRetries())
                .temperature(config.temperature().orElse(null))
                .build();
        this.streaming = OpenAiStreamingChatModel.builder()
                .httpClientBuilder(httpClient(config))
                .baseUrl(config.baseUrl())
                .apiKey(apiKey)
                .modelName(config.model())
                .timeout(config.timeout())
                .temperature(config.temperature().orElse(null))
                .build();
    }

    /**
     * The JDK client, named explicitly rather than found by ServiceLoader (clearer in a native image),
     * speaking HTTP/1.1 so that local model servers are not offered an h2c upgrade.
     */
    private static JdkHttpClientBuilder httpClient(AssistantConfig.OpenAi config) {
        return new JdkHttpClientBuilder()
                .httpClientBuilder(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1))
                .connectTimeout(config.timeout())
                .readTimeout(config.timeout());
    }

    @Override
    public String provider() {
        return "openai";
    }

    @Override
    public String model() {
        return config.model();
    }

    @Override
    public Reply reply(List<Turn> history) {
        return toReply(chat.chat(messages(history)));
    }

    /**
     * Streams the reply. The streaming client has no retries of its own, so a call that fails
     * before any text was handed out is retried as the plain client would (max-retries, growing
     * pauses); once text is out, a failure fails the reply rather than repeat text.
     */
    @Override
    public Reply stream(List<Turn> history, Consumer<String> onDelta) {
        for (int attempt = 0;; attempt++) {
            AtomicBoolean started = new AtomicBoolean();
            try {
                return streamOnce(history, partial -> {
                    started.set(true);
                    onDelta.accept(partial);
                });
            } catch (RuntimeException e) {
                boolean retriable = e instanceof RetriableException || !(e instanceof LangChain4jException);
                if (started.get() || !retriable || attempt >= config.maxRetries()) {
                    throw e;
                }
                try {
                    Thread.sleep(RETRY_PAUSE.toMillis() * (1L << attempt));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private Reply streamOnce(List<Turn> history, Consumer<String> onDelta) {
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        streaming.chat(messages(history), new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                if (partial != null && !partial.isEmpty()) {
                    onDelta.accept(partial);
                }
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        try {
            // The client enforces the timeout per read; this bounds the whole stream as a backstop.
            return toReply(done.get(config.timeout().toMillis() * 10, TimeUnit.MILLISECONDS));
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("The model did not finish its reply in time", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the model", e);
        }
    }

    private List<ChatMessage> messages(List<Turn> history) {
        List<ChatMessage> messages = new ArrayList<>(history.size() + 1);
        config.systemPrompt().ifPresent(prompt -> messages.add(SystemMessage.from(prompt)));
        for (Turn turn : history) {
            switch (turn.role()) {
                case SYSTEM -> messages.add(SystemMessage.from(turn.content()));
                case ASSISTANT -> messages.add(AiMessage.from(turn.content()));
                // Tool results need the tool call they answer; as context they read best as user text.
                case USER, TOOL -> messages.add(UserMessage.from(turn.content()));
            }
        }
        return messages;
    }

    private static Reply toReply(ChatResponse response) {
        AiMessage message = response.aiMessage();
        List<Map<String, Object>> toolCalls = new ArrayList<>();
        if (message.hasToolExecutionRequests()) {
            for (ToolExecutionRequest request : message.toolExecutionRequests()) {
                Map<String, Object> call = new LinkedHashMap<>();
                call.put("id", request.id());
                call.put("type", "function");
                call.put("function", Map.of("name", String.valueOf(request.name()),
                        "arguments", String.valueOf(request.arguments())));
                toolCalls.add(call);
            }
        }
        String text = message.text() == null ? "" : message.text();
        return new Reply(text, toolCalls);
    }
}
