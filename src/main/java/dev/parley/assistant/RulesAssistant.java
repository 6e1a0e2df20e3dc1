package dev.parley.assistant;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The offline default (SPEC §5): the first rule that matches wins, words match whole and
 * case-insensitively.
 */
public class RulesAssistant implements Assistant {

    static final String GREETING = "Hello! How can I assist you today?";
    static final String HELP = "I'm here to help! What do you need assistance with?";
    static final String QUESTION = "That's an interesting question. Let me think about that...";
    static final String THANKS = "You're welcome! Is there anything else I can help with?";
    static final String DEFAULT = "I understand. Can you tell me more about that?";

    private static final Pattern GREETING_WORDS = words("hello", "hi", "hey");
    private static final Pattern HELP_WORDS = words("help", "assist", "assistance");
    private static final Pattern THANKS_WORDS = words("thanks", "thank", "thx");

    @Override
    public String provider() {
        return "rules";
    }

    @Override
    public String model() {
        return null;
    }

    @Override
    public Reply reply(List<Turn> history) {
        return Reply.text(answer(history.isEmpty() ? "" : history.get(history.size() - 1).content()));
    }

    static String answer(String message) {
        if (GREETING_WORDS.matcher(message).find()) {
            return GREETING;
        }
        if (HELP_WORDS.matcher(message).find()) {
            return HELP;
        }
        if (message.indexOf('?') >= 0) {
            return QUESTION;
        }
        if (THANKS_WORDS.matcher(message).find()) {
            return THANKS;
        }
        return DEFAULT;
    }

    private static Pattern words(String... words) {
        // Letters and digits on either side would make it part of another word ("this", "helpful").
        return Pattern.compile("(?<![\\p{L}\\p{N}])(?:" + String.join("|", words) + ")(?![\\p{L}\\p{N}])",
                Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    }
}
