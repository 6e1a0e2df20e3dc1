package dev.parley.message;

import dev.parley.common.Ids;
import dev.parley.common.Like;
import dev.parley.conversation.Conversation;
import dev.parley.conversation.ConversationService;
import dev.parley.conversation.NewConversation;
import dev.parley.error.ProblemException;
import dev.parley.pagination.PageRequest;
import dev.parley.pagination.Pager;
import dev.parley.pagination.Position;
import dev.parley.pagination.Slice;
import dev.parley.pagination.Window;
import dev.parley.security.OwnerSql;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Conversations as trees: edits and regenerations add siblings, the current leaf picks the branch
 * that is shown and sent to the model (the active path), and a fork copies a path into a new
 * conversation. New messages and replies are made by {@link MessageService}, so an edit's or a
 * regenerate's reply follows the one reply lifecycle (pending, then complete or failed).
 */
@ApplicationScoped
@Transactional(Transactional.TxType.REQUIRED)
public class BranchService {

    @Inject
    OwnerSql owned;

    @Inject
    MessageService messages;

    @Inject
    MessageTree tree;

    @Inject
    ConversationService conversations;

    @Inject
    Pager pager;

    /**
     * A new version of a user message: a sibling with the new content, made the current leaf, and
     * answered like any new user message. The old version and its replies stay, one branch away.
     */
    public MessageService.Created edit(UUID conversationId, UUID messageId, EditInput input) {
        Message original = messages.get(conversationId, messageId);
        if (original.role != Role.USER) {
            throw new ProblemException(400, "Only user messages can be edited; this one is a" + article(original.role)
                    + " message (regenerate an assistant reply instead)", null);
        }
        NewMessage message = new NewMessage(Role.USER, input.content(), original.parentId, original.threadId,
                original.endpoint, original.model, input.metadata() != null ? input.metadata() : original.metadata,
                List.of());
        return messages.create(conversationId, message, MessageService.ReplyMode.AUTO, original.parentId == null);
    }

    /** Checks what an edit will need before its transaction (see {@link MessageService#spendReplyBudget}). */
    @Transactional(Transactional.TxType.NEVER)
    public void spendEditBudget(UUID conversationId, EditInput input) {
        messages.spendReplyBudget(conversationId, NewMessage.of(Role.USER, input.content())
                .withMetadata(input.metadata()));
    }

    /**
     * Another answer to the message an assistant reply answers: a new pending sibling of the reply,
     * made the current leaf.
     *
     * @param callerGenerates the caller claims and generates it (chat); otherwise a worker does
     */
    public MessageService.Created regenerate(UUID conversationId, UUID replyId, boolean callerGenerates) {
        Message reply = messages.get(conversationId, replyId);
        if (reply.role != Role.ASSISTANT) {
            throw new ProblemException(400, "Only assistant replies can be regenerated; this one is a"
                    + article(reply.role) + " message (edit a user message instead)", null);
        }
        return answerAgain(conversationId, reply, callerGenerates);
    }

    /**
     * Regenerates at the current leaf (chat with regenerate: true): another answer to the message
     * the current reply answers, or a first answer when the current leaf is not an assistant reply.
     */
    public MessageService.Created regenerateCurrent(UUID conversationId, boolean callerGenerates) {
        UUID leaf = tree.currentLeaf(conversationId);
        if (leaf == null) {
            throw new ProblemException(409, "The conversation has no message to answer yet", null);
        }
        Message current = messages.get(conversationId, leaf);
        if (current.role != Role.ASSISTANT) {
            if (current.role != Role.USER) {
                throw new ProblemException(409, "The current message is a" + article(current.role)
                        + " message; only a user message or an assistant reply can be answered again", null);
            }
            return messages.reply(conversationId, current, callerGenerates);
        }
        return answerAgain(conversationId, current, callerGenerates);
    }

    private MessageService.Created answerAgain(UUID conversationId, Message reply, boolean callerGenerates) {
        if (reply.status == MessageStatus.PENDING) {
            throw new ProblemException(409, "The reply is still being generated; regenerate it once it is complete",
                    null);
        }
        if (reply.parentId == null) {
            throw new ProblemException(409, "This reply answers no message, so there is nothing to answer again", null);
        }
        Message answered = messages.get(conversationId, reply.parentId);
        return messages.reply(conversationId, answered, callerGenerates);
    }

    /** The versions of a message: the messages sharing its parent, itself included, oldest first. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public List<Message> siblings(UUID conversationId, UUID messageId) {
        return Message.siblings(messages.get(conversationId, messageId));
    }

    /**
     * Switches the conversation to the branch through {@code messageId}: its current leaf becomes the
     * most recent leaf at or below that message.
     */
    public Conversation switchTo(UUID conversationId, UUID messageId) {
        // The lock every new message takes first: no message can land below the chosen branch
        // between the walk and the write, and a concurrent new message's leaf is not overwritten by
        // one computed before it.
        conversations.lockForRemoval(conversationId);
        Message message = messages.get(conversationId, messageId);
        UUID leaf = tree.newestLeafUnder(conversationId, message.id);
        conversations.moveCurrentLeaf(conversationId, leaf, Ids.now());
        return refreshed(conversations.get(conversationId));
    }

    /**
     * A new conversation holding copies of the path from the root to {@code messageId}, in one
     * statement, with the copy of that message as its current leaf. The copies keep their times;
     * a reply still pending is copied as failed, as no one will generate the copy.
     */
    public Conversation fork(UUID conversationId, ForkInput input) {
        Conversation source = conversations.get(conversationId);
        Message message = messages.get(conversationId, input.messageId());
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("forked_from", source.id.toString());
        metadata.put("forked_from_message", message.id.toString());
        String title = input.title() == null || input.title().isBlank() ? source.title : input.title();
        Conversation fork = conversations.create(new NewConversation(title, source.description, metadata, false,
                false, source.autoReply, source.tags, null, false));
        UUID leafCopy = Ids.newId();
        Object[] copied = (Object[]) owned.query(MessageTree.ANCESTORS + """
                , copy AS (
                    SELECT p.id, p.parent_id,
                           CASE WHEN p.id = :leaf THEN CAST(:leafCopy AS uuid) ELSE
                               -- a version 7 UUID: the time in milliseconds, then random bits
                               CAST(overlay(overlay(replace(CAST(gen_random_uuid() AS text), '-', '')
                                   placing lpad(to_hex(CAST(floor(extract(epoch FROM clock_timestamp()) * 1000)
                                                            AS bigint)), 12, '0') FROM 1 FOR 12)
                                   placing '7' FROM 13 FOR 1) AS uuid) END AS new_id
                      FROM path p),
                inserted AS (
                    INSERT INTO message (id, conversation_id, user_id, role, content, status, parent_id, thread_id,
                                         endpoint, model, tool_calls, metadata, created_at, updated_at)
                    SELECT c.new_id, :fork, m.user_id, m.role, m.content,
                           CASE WHEN m.status = 'pending' THEN 'failed' ELSE m.status END, parent.new_id, m.thread_id,
                           m.endpoint, m.model, m.tool_calls,
                           CASE WHEN m.status = 'pending'
                                THEN m.metadata || jsonb_build_object('error',
                                                                      'The reply was still being generated when '
                                                                      || 'the conversation was forked',
                                                                      'error_type', 'forked')
                                ELSE m.metadata END,
                           m.created_at, m.updated_at
                      FROM copy c
                      JOIN message m ON m.id = c.id AND m.user_id = :owner
                      LEFT JOIN copy parent ON parent.id = c.parent_id
                    RETURNING created_at)
                SELECT count(*), max(created_at) FROM inserted""",
                Map.of("cid", conversationId, "leaf", message.id, "leafCopy", leafCopy, "fork", fork.id))
                .getSingleResult();
        Conversation.recordFork(fork.id, ((Number) copied[0]).intValue(), leafCopy, Ids.instant(copied[1]));
        return refreshed(fork);
    }

    /**
     * The active path (root to current leaf), oldest first unless {@code newestFirst}, a page at a
     * time. Every page walks the path up from the leaf (one primary-key step per message), so its
     * count is known and exact.
     */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Slice<Message> activePath(UUID conversationId, String q, Role role, boolean newestFirst,
            PageRequest request) {
        UUID leaf = tree.currentLeaf(conversationId);
        Map<String, Object> params = new HashMap<>();
        params.put("cid", conversationId);
        params.put("leaf", leaf);
        StringBuilder filter = new StringBuilder();
        if (role != null) {
            filter.append(" AND p.role = :role");
            params.put("role", role.wire());
        }
        if (q != null && !q.isBlank()) {
            filter.append(" AND EXISTS (SELECT 1 FROM message t WHERE t.id = p.id AND t.user_id = :owner"
                    + " AND t.content ILIKE :q ESCAPE '\\')");
            params.put("q", Like.contains(q.strip()));
        }
        // The page's statement counts the path too; a page that holds no row asks again.
        long[] count = {-1};
        return pager.page(new Pager.Query<>(request, newestFirst ? PathOrder.NEWEST_FIRST : PathOrder.OLDEST_FIRST,
                window -> {
                    if (leaf == null) {
                        count[0] = 0;
                        return List.of();
                    }
                    List<Object[]> rows = pathPage(params, filter, window);
                    count[0] = rows.isEmpty() ? countPath(params, filter) : ((Number) rows.get(0)[1]).longValue();
                    return load(conversationId, rows.stream().map(row -> (UUID) row[0]).toList());
                },
                m -> new Position(m.createdAt, m.id), () -> count[0]));
    }

    private List<Object[]> pathPage(Map<String, Object> filterParams, CharSequence filter, Window<?> window) {
        Map<String, Object> params = new HashMap<>(filterParams);
        String keyset = "";
        if (window.after() != null) {
            keyset = " WHERE (f.created_at, f.id) " + window.beyond() + " (:cursorKey, :cursorId)";
            params.put("cursorKey", window.after().key());
            params.put("cursorId", window.after().id());
        }
        params.put("limit", window.limit());
        params.put("offset", window.offset());
        List<Object[]> rows = new ArrayList<>();
        for (Object row : owned.query(pathPageSql(filter.toString(), keyset, window.descending()), params)
                .getResultList()) {
            rows.add((Object[]) row);
        }
        return rows;
    }

    /**
     * A page of the active path: the ids, and how many messages pass the filters (parameters :leaf,
     * :cid, :owner, :limit, :offset, and those of the filter and keyset conditions).
     */
    public static String pathPageSql(String filter, String keyset, boolean descending) {
        String direction = descending ? " DESC" : " ASC";
        return MessageTree.ANCESTORS + ", filtered AS (SELECT p.id, p.created_at FROM path p WHERE true" + filter + ")"
                + " SELECT f.id, (SELECT count(*) FROM filtered) FROM filtered f" + keyset
                + " ORDER BY f.created_at" + direction + ", f.id" + direction
                + " LIMIT :limit OFFSET :offset";
    }

    /** The number of messages on the path that pass the filters, for a page that holds none of them. */
    private long countPath(Map<String, Object> params, CharSequence filter) {
        return ((Number) owned.query(MessageTree.ANCESTORS + "SELECT count(*) FROM path p WHERE true" + filter,
                params).getSingleResult()).longValue();
    }

    private List<Message> load(UUID conversationId, List<UUID> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        Map<UUID, Message> byId = Message.findOwned(conversationId, ids).stream()
                .collect(Collectors.toMap(m -> m.id, Function.identity()));
        return ids.stream().map(byId::get).filter(m -> m != null).toList();
    }

    /** The counters and leaf written by native statements, read back into the entity. */
    private Conversation refreshed(Conversation conversation) {
        Conversation.getEntityManager().flush();
        Conversation.getEntityManager().refresh(conversation);
        return conversation;
    }

    private static String article(Role role) {
        return role == Role.ASSISTANT ? "n assistant" : " " + role.wire();
    }
}
