package dev.parley.chat;

import dev.parley.assistant.AssistantConfig;
import dev.parley.assistant.ReplyGenerator;
import dev.parley.assistant.ReplyListener;
import dev.parley.assistant.ReplyOutcome;
import dev.parley.assistant.ReplyStore;
import dev.parley.assistant.ReplyWorker;
import dev.parley.common.InputChecks;
import dev.parley.conversation.ConversationService;
import dev.parley.conversation.NewConversation;
import dev.parley.error.ProblemException;
import dev.parley.message.BranchService;
import dev.parley.message.Message;
import dev.parley.message.MessageService;
import dev.parley.message.MessageStatus;
import dev.parley.message.NewMessage;
import dev.parley.message.Role;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One chat round trip on the reply lifecycle every reply follows: the user message and its pending
 * reply commit together, the reply already claimed by this request. A JSON chat generates it on
 * the request thread, a streamed chat on a thread of its own that the stream only watches; either
 * way as any worker would (same lease, heartbeat and store), with no transaction or connection held
 * while the model works. If this instance dies or stops meanwhile, the reply stays pending and
 * another instance completes it.
 */
@ApplicationScoped
public class ChatService {

    static final int TITLE_CODE_POINTS = 50;

    @Inject
    ConversationService conversations;

    @Inject
    MessageService messages;

    @Inject
    ReplyStore replies;

    @Inject
    ReplyGenerator generator;

    @Inject
    ReplyWorker worker;

    @Inject
    AssistantConfig config;

    @Inject
    InputChecks checks;

    @Inject
    BranchService branches;

    /** The stored user message and its pending reply, which this request holds. */
    public record Started(UUID conversationId, UUID messageId, ReplyStore.Claim claim) {
    }

    /**
     * Starts a chat: the user's {@code message} in the conversation, or in a new one titled after it
     * when {@code conversationId} is null. {@code context} holds earlier messages (instructions, a
     * client's own history) stored first, in the same transaction, without replies of their own.
     */
    public Started start(UUID conversationId, String message, List<NewMessage> context) {
        checks.content("message", message);
        return QuarkusTransaction.requiringNew().call(() -> {
            UUID target = conversationId != null ? conversationId
                    : conversations.create(NewConversation.DEFAULTS.withTitle(titleFor(message))).id;
            for (NewMessage earlier : context) {
                messages.create(target, earlier, MessageService.ReplyMode.NONE);
            }
            MessageService.Created created = messages.create(target, NewMessage.of(Role.USER, message),
                    MessageService.ReplyMode.CALLER);
            // Claimed in the transaction that creates it: no worker can take it first.
            ReplyStore.Claim claim = replies.claim(created.reply().id, config.claimLease());
            return new Started(target, created.message().id, claim);
        });
    }

    /** A new version of the conversation's current reply, claimed by this request like a chat's own reply. */
    public Started regenerate(UUID conversationId) {
        return QuarkusTransaction.requiringNew().call(() -> {
            MessageService.Created created = branches.regenerateCurrent(conversationId, true);
            ReplyStore.Claim claim = replies.claim(created.reply().id, config.claimLease());
            return new Started(conversationId, created.message().id, claim);
        });
    }

    /**
     * Generates a streamed chat's reply apart from the request, which only watches it: a client
     * that goes away does not stop it, and any client may watch it (GET .../messages/{id}/stream).
     */
    public void generateApart(Started started) {
        worker.generateNow(started.claim());
    }

    /** The chat's answer, once its reply is stored as complete. */
    public ChatAnswer answer(Started started, Message reply) {
        return new ChatAnswer(started.conversationId(), started.claim().userId(), started.messageId(), reply.content,
                reply.id, reply.toolCalls);
    }

    /** The chat's problem, once its reply is stored as failed. */
    public ProblemException failure(Started started) {
        return failed(started, started.claim().replyId());
    }

    /** Generates the started chat's reply on this thread. */
    public ChatAnswer finish(Started started) {
        return finish(started, ReplyListener.NONE);
    }

    /** Generates the started chat's reply on this thread, handing its text to {@code listener} as it comes. */
    public ChatAnswer finish(Started started, ReplyListener listener) {
        ReplyOutcome outcome = generator.generate(started.claim(), listener);
        return switch (outcome.status()) {
            case COMPLETE -> new ChatAnswer(started.conversationId(), started.claim().userId(), started.messageId(),
                    outcome.reply().content(), outcome.replyId(), outcome.reply().toolCalls());
            case FAILED -> throw failed(started, outcome.replyId());
            case HANDED_OVER -> awaitOther(started, outcome.replyId());
        };
    }

    /** Another claim is finishing the reply (this one lost it): answer with what it stores. */
    private ChatAnswer awaitOther(Started started, UUID replyId) {
        Message reply = generator.await(replyId, config.claimLease().multipliedBy(2));
        if (reply == null || reply.status == MessageStatus.PENDING) {
            throw new ProblemException(503, "The reply is still being generated; it will be stored as "
                    + replyId + " in conversation " + started.conversationId() + ".", null,
                    Map.of("Retry-After", String.valueOf(Duration.ofSeconds(5).toSeconds())));
        }
        if (reply.status == MessageStatus.FAILED) {
            throw failed(started, replyId);
        }
        return answer(started, reply);
    }

    private static ProblemException failed(Started started, UUID replyId) {
        return new ProblemException(502, "The model provider failed to answer. Your message was stored as "
                + started.messageId() + " in conversation " + started.conversationId()
                + "; the failed reply is " + replyId + ".", null);
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
