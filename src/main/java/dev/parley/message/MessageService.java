package dev.parley.message;

import dev.parley.assistant.Turn;
import dev.parley.common.IfMatch;
import dev.parley.common.Ids;
import dev.parley.common.InputChecks;
import dev.parley.common.Like;
import dev.parley.conversation.Conversation;
import dev.parley.conversation.ConversationService;
import dev.parley.error.ProblemException;
import dev.parley.pagination.Page;
import dev.parley.pagination.PageRequest;
import dev.parley.pagination.Pager;
import dev.parley.ratelimit.RateLimiter;
import dev.parley.security.OwnerScope;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.OptimisticLockException;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.core.UriInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.hibernate.jpa.HibernateHints;

/** Messages of the caller's conversations. Every read and write goes through {@link OwnerScope}. */
@ApplicationScoped
@Transactional(Transactional.TxType.REQUIRED)
public class MessageService {

    public static final Pager.Sort OLDEST_FIRST = new Pager.Sort("messages:asc", "createdAt", false);
    public static final Pager.Sort NEWEST_FIRST = new Pager.Sort("messages:desc", "createdAt", true);

    @Inject
    OwnerScope scope;

    @Inject
    Pager pager;

    @Inject
    InputChecks checks;

    @Inject
    ConversationService conversations;

    @Inject
    Event<ReplyRequested> replyRequested;

    @Inject
    RateLimiter limiter;

    /** A stored message and, when one is being generated, its pending assistant reply. */
    public record Created(Message message, Message reply) {
    }

    /**
     * Stores a message. A user message in a conversation with auto_reply on also gets a pending
     * assistant reply in the same transaction, so the reply cannot be lost between the two; the
     * reply is generated after commit.
     */
    public Created create(UUID conversationId, MessageInput input, boolean wantReply) {
        checkContent(input.content(), input.metadata(), input.toolCalls());
        Instant now = Ids.now();
        boolean autoReply = conversations.recordMessage(conversationId, input.role() == Role.USER && wantReply,
                now);
        if (autoReply) {
            // A message that makes the model work spends the chat budget too (429 stores nothing).
            limiter.consume(RateLimiter.Kind.CHAT, scope.ownerId());
        }
        checkParent(conversationId, input.parentId());
        Message message = newMessage(conversationId, input.role(), input.content(), now);
        message.parentId = input.parentId();
        message.threadId = input.threadId();
        message.endpoint = input.endpoint();
        message.model = input.model();
        message.metadata = input.metadata() == null ? Map.of() : input.metadata();
        message.toolCalls = input.toolCalls() == null ? List.of() : input.toolCalls();
        message.persist();
        Message reply = null;
        if (autoReply) {
            reply = newMessage(conversationId, Role.ASSISTANT, "", now.plus(ConversationService.REPLY_AFTER));
            reply.status = MessageStatus.PENDING;
            reply.parentId = message.id;
            reply.threadId = message.threadId;
            reply.persist();
            replyRequested.fire(new ReplyRequested(reply.id));
        }
        return new Created(message, reply);
    }

    /** Stores a finished message written by the server itself (the chat round trip's reply). */
    public Message createAssistant(UUID conversationId, UUID parentId, String content, String endpoint,
            String model, List<Map<String, Object>> toolCalls) {
        Instant now = Ids.now();
        conversations.recordMessage(conversationId, false, now);
        Message message = newMessage(conversationId, Role.ASSISTANT, content, now);
        message.parentId = parentId;
        message.endpoint = endpoint;
        message.model = model;
        message.toolCalls = toolCalls == null ? List.of() : toolCalls;
        message.persist();
        return message;
    }

    /** Stores the failed reply of a chat round trip, with the reason in its metadata. */
    public Message createFailedAssistant(UUID conversationId, UUID parentId, String endpoint, String model,
            Map<String, Object> error) {
        Message message = createAssistant(conversationId, parentId, "", endpoint, model, List.of());
        message.status = MessageStatus.FAILED;
        message.metadata = error;
        return message;
    }

    /** The last {@code window} complete messages of the conversation, oldest first, as model context. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public List<Turn> history(UUID conversationId, int window) {
        List<Message> recent = scope.select(Message.class, "e.conversationId = :cid and e.status = :complete",
                        "e.createdAt desc, e.id desc", Map.of("cid", conversationId, "complete", MessageStatus.COMPLETE))
                .setHint(HibernateHints.HINT_READ_ONLY, true)
                .setMaxResults(window)
                .getResultList();
        List<Turn> turns = new ArrayList<>(recent.size());
        for (int i = recent.size() - 1; i >= 0; i--) {
            turns.add(new Turn(recent.get(i).role, recent.get(i).content));
        }
        return turns;
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Message get(UUID conversationId, UUID id) {
        return scope.select(Message.class, "e.conversationId = :cid and e.id = :id", null,
                        Map.of("cid", conversationId, "id", id))
                .getResultStream().findFirst()
                .orElseThrow(() -> notFound(id));
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Page<Message> list(UUID conversationId, String q, Role role, boolean newestFirst, PageRequest request,
            UriInfo uri) {
        StringBuilder where = new StringBuilder("e.conversationId = :cid");
        Map<String, Object> params = new HashMap<>();
        params.put("cid", conversationId);
        if (role != null) {
            where.append(" and e.role = :role");
            params.put("role", role);
        }
        if (q != null && !q.isBlank()) {
            where.append(" and e.content ilike :q escape '\\'");
            params.put("q", Like.contains(q.strip()));
        }
        // The page query is scoped to the caller (user_id = owner), so a page with rows proves the
        // conversation is theirs, and the conversation is read only when needed: for its counter
        // (unfiltered lists whose page cannot tell the count: no COUNT over a long conversation)
        // or for an empty page, where another user's conversation must answer 404, not [].
        Conversation[] conversation = new Conversation[1];
        Supplier<Conversation> owned = () -> conversation[0] != null ? conversation[0]
                : (conversation[0] = conversations.get(conversationId));
        LongSupplier knownCount = params.size() == 1 ? () -> owned.get().messageCount : null;
        Page<Message> page = pager.list(Message.class, where.toString(), params,
                newestFirst ? NEWEST_FIRST : OLDEST_FIRST, request, m -> m.createdAt, m -> m.id, uri, knownCount);
        if (page.results().isEmpty()) {
            owned.get();
        }
        return page;
    }

    public Message patch(UUID conversationId, UUID id, MessagePatch patch, IfMatch ifMatch) {
        Message message = editable(conversationId, id, ifMatch);
        if (patch.has("role") && patch.role != message.role) {
            throw ProblemException.badRequest("role", "cannot be changed");
        }
        if (patch.has("content")) {
            checks.content("content", patch.content);
            message.content = patch.content;
        }
        if (patch.has("metadata")) {
            checks.metadata("metadata", patch.metadata);
            message.metadata = patch.metadata == null ? Map.of() : patch.metadata;
        }
        if (patch.has("parent_id")) {
            checkParent(conversationId, patch.parentId);
            message.parentId = checkNotSelf(id, patch.parentId);
        }
        if (patch.has("thread_id")) {
            message.threadId = patch.threadId;
        }
        if (patch.has("endpoint")) {
            message.endpoint = patch.endpoint;
        }
        if (patch.has("model")) {
            message.model = patch.model;
        }
        if (patch.has("tool_calls")) {
            checks.toolCalls("tool_calls", patch.toolCalls);
            message.toolCalls = patch.toolCalls == null ? List.of() : patch.toolCalls;
        }
        return touched(conversationId, message, ifMatch);
    }

    public Message replace(UUID conversationId, UUID id, MessageInput input, IfMatch ifMatch) {
        Message message = editable(conversationId, id, ifMatch);
        if (input.role() != message.role) {
            throw ProblemException.badRequest("role", "cannot be changed");
        }
        checkContent(input.content(), input.metadata(), input.toolCalls());
        checkParent(conversationId, input.parentId());
        message.content = input.content();
        message.parentId = checkNotSelf(id, input.parentId());
        message.threadId = input.threadId();
        message.endpoint = input.endpoint();
        message.model = input.model();
        message.metadata = input.metadata() == null ? Map.of() : input.metadata();
        message.toolCalls = input.toolCalls() == null ? List.of() : input.toolCalls();
        return touched(conversationId, message, ifMatch);
    }

    public void delete(UUID conversationId, UUID id, IfMatch ifMatch) {
        Message message = get(conversationId, id);
        if (ifMatch != null) {
            ifMatch.require(message.version);
        }
        conversations.lockForRemoval(conversationId);
        if (scope.execute("delete from Message e", "e.id = :id and e.version = :version",
                Map.of("id", message.id, "version", message.version)) == 0) {
            throw IfMatch.conflict(ifMatch);
        }
        conversations.recordRemoval(conversationId, Ids.now());
    }

    private Message editable(UUID conversationId, UUID id, IfMatch ifMatch) {
        Message message = get(conversationId, id);
        if (ifMatch != null) {
            ifMatch.require(message.version);
        }
        if (message.status == MessageStatus.PENDING) {
            throw new ProblemException(409, "The reply is still being generated; edit it once it is complete",
                    null);
        }
        return message;
    }

    private Message touched(UUID conversationId, Message message, IfMatch ifMatch) {
        Instant now = Ids.now();
        message.updatedAt = now;
        try {
            // Written now: a concurrent writer is detected by the version check, and the answer
            // carries the new version as its ETag.
            Message.flush();
        } catch (OptimisticLockException e) {
            throw IfMatch.conflict(ifMatch);
        }
        conversations.touch(conversationId, now);
        return message;
    }

    private void checkContent(String content, Map<String, Object> metadata, List<Map<String, Object>> toolCalls) {
        checks.content("content", content);
        checks.metadata("metadata", metadata);
        checks.toolCalls("tool_calls", toolCalls);
    }

    private void checkParent(UUID conversationId, UUID parentId) {
        if (parentId != null && scope.count(Message.class, "e.conversationId = :cid and e.id = :id",
                Map.of("cid", conversationId, "id", parentId)) == 0) {
            throw ProblemException.badRequest("parent_id", "must name a message of this conversation");
        }
    }

    private static UUID checkNotSelf(UUID id, UUID parentId) {
        if (id.equals(parentId)) {
            throw ProblemException.badRequest("parent_id", "cannot be the message itself");
        }
        return parentId;
    }

    private Message newMessage(UUID conversationId, Role role, String content, Instant at) {
        Message message = new Message();
        message.id = Ids.newId();
        message.conversationId = conversationId;
        message.userId = scope.ownerId();
        message.role = role;
        message.content = content;
        message.createdAt = at;
        message.updatedAt = at;
        return message;
    }

    public static ProblemException notFound(UUID id) {
        return ProblemException.notFound("No message " + id);
    }
}
