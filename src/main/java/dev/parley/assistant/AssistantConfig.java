package dev.parley.assistant;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** parley.assistant.*: which provider answers, and how replies are generated. */
@ConfigMapping(prefix = "parley.assistant")
public interface AssistantConfig {

    /** rules (offline, default), echo, or openai (any OpenAI-compatible chat-completions server). */
    @WithDefault("rules")
    String provider();

    /** How many earlier messages of the conversation the model sees as context. */
    @WithDefault("20")
    int historyWindow();

    /**
     * How long a claim on a reply lasts without a heartbeat: a dead instance's replies are taken
     * over about this long after its last heartbeat (plus one sweep).
     */
    @WithDefault("PT30S")
    Duration claimLease();

    /** How often the instance renews the leases of the replies it is generating; well below the lease. */
    @WithDefault("10s")
    String heartbeatEvery();

    /** Claims of one reply (crashes included) before it is marked failed. */
    @WithDefault("3")
    int maxAttempts();

    /** How often each instance looks for replies to take: new ones left waiting, handed back or abandoned. */
    @WithDefault("5s")
    String sweepEvery();

    /** Replies generated at once by one instance; more wait in the database. */
    @WithDefault("8")
    int concurrency();

    OpenAi openai();

    interface OpenAi {

        /** Base URL including /v1, e.g. https://api.example.com/v1 or http://127.0.0.1:11434/v1. */
        @WithDefault("http://127.0.0.1:11434/v1")
        String baseUrl();

        Optional<String> apiKey();

        @WithDefault("gpt-4o-mini")
        String model();

        @WithDefault("60s")
        Duration timeout();

        /** Retries after a failed call (429, 5xx, network); 0 for none. */
        @WithDefault("2")
        int maxRetries();

        /** Optional system prompt put before the history. */
        Optional<String> systemPrompt();

        Optional<Double> temperature();
    }
}
