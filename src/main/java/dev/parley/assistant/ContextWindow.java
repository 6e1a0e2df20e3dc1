package dev.parley.assistant;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.parley.message.Role;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * What a reply sends the model: the system prompt, then the newest messages of the active path
 * that fit the token budget, oldest first. The same code serves the reply and GET …/context, so
 * what a client is shown is what the model gets.
 *
 * <p>Tokens are counted with JTokkit's OpenAI encodings; each message also costs
 * {@link #PER_MESSAGE} tokens for its role and separators (OpenAI's chat format). For models with
 * other tokenizers the count is an approximation, close enough to keep a budget.
 */
@ApplicationScoped
public class ContextWindow {

    /** Tokens the chat format adds to every message, after OpenAI's own accounting. */
    static final int PER_MESSAGE = 3;

    /** A message of the active path that could be sent. */
    public record Candidate(UUID id, Role role, String content) {
    }

    /** A message that is sent, with its cost. */
    public record Entry(UUID id, Role role, String content, int tokens) {
    }

    /**
     * @param messages oldest first
     * @param trimmed whether older messages of the path were left out for the budget
     */
    public record Window(List<Entry> messages, int systemPromptTokens, int totalTokens, int budget, boolean trimmed) {

        public List<Turn> turns() {
            return messages.stream().map(e -> new Turn(e.role(), e.content())).toList();
        }
    }

    @Inject
    AssistantConfig config;

    private volatile Encoding encoding;

    /**
     * @param newestFirst the complete messages of the path, newest first
     * @param more whether the path goes on beyond {@code newestFirst} (it was cut at the history window)
     */
    public Window fit(List<Candidate> newestFirst, boolean more) {
        int system = systemPrompt().map(this::tokens).orElse(0);
        int budget = config.contextTokens();
        int total = system;
        List<Entry> kept = new ArrayList<>();
        boolean trimmed = more;
        for (Candidate candidate : newestFirst) {
            int cost = tokens(candidate.content());
            // The newest message is what the reply answers: it is sent even when it alone is over budget.
            if (!kept.isEmpty() && total + cost > budget) {
                trimmed = true;
                break;
            }
            kept.add(new Entry(candidate.id(), candidate.role(), candidate.content(), cost));
            total += cost;
        }
        Collections.reverse(kept);
        return new Window(kept, system, total, budget, trimmed);
    }

    /** The system prompt the provider puts first; only the openai provider sends one. */
    Optional<String> systemPrompt() {
        return "openai".equals(config.provider()) ? config.openai().systemPrompt() : Optional.empty();
    }

    public String tokenizer() {
        return config.tokenizer();
    }

    int tokens(String text) {
        return encoding().countTokens(text) + PER_MESSAGE;
    }

    Encoding encoding() {
        Encoding current = encoding;
        if (current == null) {
            current = loadEncoding();
        }
        return current;
    }

    /**
     * One encoding per process: o200k_base takes about 35 MB of heap, and the reply workers all
     * ask for it at once after a restart. Loaded unguarded, each of them built its own copy and a
     * 192 MiB heap ran out (ReplyCrashIT), so the first load is serialised.
     */
    private synchronized Encoding loadEncoding() {
        if (encoding == null) {
            EncodingType type = EncodingType.fromName(config.tokenizer()).orElseThrow(() -> new IllegalStateException(
                    "parley.assistant.tokenizer must be one of o200k_base, cl100k_base, p50k_base, r50k_base"));
            // The lazy registry loads only the encoding asked for.
            encoding = Encodings.newLazyEncodingRegistry().getEncoding(type);
        }
        return encoding;
    }
}
