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

    /**
     * The most messages of the active path read as context for one reply, before the token budget
     * trims them; a bound on the rows read for a very long conversation.
     */
    @WithDefault("200")
    int historyWindow();

    /**
     * Token budget of the context sent with a reply: the system prompt plus the newest messages of
     * the active path that fit (the message being answered is always sent).
     */
    @WithDefault("8000")
    int contextTokens();

    /**
     * The JTokkit encoding that counts tokens: o200k_base (GPT-4o and later), cl100k_base (GPT-4,
     * GPT-3.5), p50k_base or r50k_base. For other models' tokenizers its count is an approximation.
     */
    @WithDefault("o200k_base")
    String tokenizer();

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
