package dev.parley.chat;

import dev.parley.assistant.Assistant;
import dev.parley.assistant.AssistantConfig;
import dev.parley.assistant.Reply;
import dev.parley.assistant.ReplyMetrics;
import dev.parley.assistant.Turn;
import dev.parley.common.InputChecks;
import dev.parley.conversation.ConversationInput;
import dev.parley.conversation.ConversationService;
import dev.parley.error.ProblemException;
import dev.parley.message.Message;
import dev.parley.message.MessageInput;
import dev.parley.message.MessageService;
import dev.parley.message.Role;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * One chat round trip: the user message is committed first (so it survives whatever the model
 * does), then the reply is generated with no transaction or connection held, then stored.
 */
@ApplicationScoped
public class ChatService {

    private static final Logger LOG = Logger.getLogger(ChatService.class);
    static final int TITLE_CODE_POINTS = 50;

    @Inject
    ConversationService conversations;

    @Inject
    MessageService messages;

    @Inject
    Assistant assistant;

    @Inject
    AssistantConfig config;

    @Inject
    InputChecks checks;

    @Inject
    ReplyMetrics metrics;

    /** The stored user message and the history the model will see. */
    public record Started(UUID conversationId, UUID messageId, List<Turn> history) {
    }

    public Started start(ChatInput input) {
        if (input == null) {
            throw ProblemException.badRequest("message", "must not be blank");
        }
        checks.content("message", input.message());
        return QuarkusTransaction.requiringNew().call(() -> {
            UUID conversationId = input.conversationId();
            if (conversationId == null) {
                conversationId = conversations.create(
                        new ConversationInput(titleFor(input.message()), null, null, null, null, null)).id;
            }
            Message user = messages.create(conversationId,
                    new MessageInput(Role.USER, input.message(), null, null, null, null, null, null), false)
                    .message();
            return new Started(conversationId, user.id, messages.history(conversationId, config.historyWindow()));
        });
    }

    public ChatAnswer chat(ChatInput input) {
        Started started = start(input);
        return finish(started, () -> assistant.reply(started.history()));
    }

    public ChatAnswer stream(Started started, Consumer<String> onDelta) {
        return finish(started, () -> assistant.stream(started.history(), onDelta));
    }

    private ChatAnswer finish(Started started, java.util.function.Supplier<Reply> generate) {
        long begin = System.nanoTime();
        Reply reply;
        try {
            reply = generate.get();
        } catch (RuntimeException e) {
            LOG.warnf("Chat reply in conversation %s failed: %s", started.conversationId(), e.toString());
            Message failed = QuarkusTransaction.requiringNew().call(() -> messages.createFailedAssistant(
                    started.conversationId(), started.messageId(), assistant.provider(), assistant.model(),
                    Map.of("error", String.valueOf(e.getMessage()), "error_type", e.getClass().getSimpleName())));
            metrics.record(begin, "failed");
            throw new ProblemException(502, "The model provider failed to answer. Your message was stored as "
                    + started.messageId() + " in conversation " + started.conversationId()
                    + "; the failed reply is " + failed.id + ".", null);
        }
        Message stored = QuarkusTransaction.requiringNew().call(() -> messages.createAssistant(
                started.conversationId(), started.messageId(), reply.content(), assistant.provider(),
                assistant.model(), reply.toolCalls()));
        metrics.record(begin, "complete");
        return new ChatAnswer(started.conversationId(), stored.userId, started.messageId(), stored.content, stored.id,
                stored.toolCalls);
    }

    /** The first 50 code points of the message, plus "..." when it is longer (SPEC §4 Chat). */
    static String titleFor(String message) {
        String text = message.strip();
        if (text.codePointCount(0, text.length()) <= TITLE_CODE_POINTS) {
            return text;
        }
        return text.substring(0, text.offsetByCodePoints(0, TITLE_CODE_POINTS)) + "...";
    }
}
