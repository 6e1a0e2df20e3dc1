package dev.parley.conversation;

import dev.parley.common.IfMatch;
import dev.parley.common.Ids;
import dev.parley.common.InputChecks;
import dev.parley.error.ProblemException;
import dev.parley.pagination.PageRequest;
import dev.parley.pagination.Pager;
import dev.parley.pagination.Position;
import dev.parley.pagination.Slice;
import dev.parley.security.OwnerSql;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.OptimisticLockException;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Conversations of the calling user. Hibernate keeps every entity query to the caller's rows
 * ({@link dev.parley.security.OwnerRestriction}); native statements bind the caller through {@link OwnerSql}.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.REQUIRED)
public class ConversationService {

    /** How much later than its user message a pending reply is created, so that it sorts after it. */
    public static final Duration REPLY_AFTER = Duration.ofNanos(1_000);

    @Inject
    OwnerSql owned;

    @Inject
    Pager pager;

    @Inject
    InputChecks checks;

    @ConfigProperty(name = "parley.conversations.temporary-ttl", defaultValue = "PT24H")
    Duration temporaryTtl;

    /** A user's distinct tags in GET /api/tags, most used first; the list is not paginated. */
    static final int MAX_TAGS_LISTED = 1_000;
    static final int TAGS_MAX_COUNT = 16;
    static final int TAG_MAX_LENGTH = 32;

    /** One of the caller's tags and how many of their conversations carry it. */
    public record TagCount(String tag, long conversationCount) {
    }

    public Conversation create(NewConversation input) {
        checks.metadata("metadata", input.metadata());
        checkTags(input.tags());
        Conversation conversation = new Conversation();
        conversation.id = Ids.newId();
        conversation.userId = owned.ownerId();
        apply(conversation, input);
        conversation.createdAt = Ids.now();
        conversation.updatedAt = conversation.createdAt;
        conversation.expiresAt = expiry(input, conversation.createdAt);
        conversation.persist();
        return conversation;
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Conversation get(UUID id) {
        return Conversation.findOwned(id).orElseThrow(() -> notFound(id));
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Slice<Conversation> list(String q, boolean archived, Boolean pinned, List<String> tags,
            PageRequest request) {
        Conversation.Criteria filter = new Conversation.Criteria(archived, pinned, tags,
                q == null || q.isBlank() ? null : q.strip());
        return pager.page(new Pager.Query<>(request, ConversationOrder.BY_ACTIVITY,
                window -> Conversation.page(filter, window), c -> new Position(c.updatedAt, c.id),
                () -> Conversation.count(filter)));
    }

    public Conversation patch(UUID id, ConversationPatch patch, IfMatch ifMatch) {
        Map<String, List<String>> errors = new LinkedHashMap<>();
        for (String flag : List.of("archived", "pinned", "auto_reply")) {
            if (patch.has(flag) && flagValue(patch, flag) == null) {
                errors.put(flag, List.of("must not be null"));
            }
        }
        if (!errors.isEmpty()) {
            throw new ProblemException(400, "The request is not valid", errors);
        }
        if (patch.has("metadata")) {
            checks.metadata("metadata", patch.metadata);
        }
        if (patch.has("tags")) {
            checkTags(patch.tags);
        }
        Conversation conversation = current(id, ifMatch);
        if (patch.has("title")) {
            conversation.title = titleOrDefault(patch.title);
        }
        if (patch.has("description")) {
            conversation.description = patch.description;
        }
        if (patch.has("archived")) {
            conversation.archived = patch.archived;
        }
        if (patch.has("pinned")) {
            conversation.pinned = patch.pinned;
        }
        if (patch.has("auto_reply")) {
            conversation.autoReply = patch.autoReply;
        }
        if (patch.has("metadata")) {
            conversation.metadata = patch.metadata == null ? Map.of() : patch.metadata;
        }
        if (patch.has("tags")) {
            conversation.tags = normalTags(patch.tags);
        }
        conversation.updatedAt = Ids.now();
        return written(conversation, ifMatch);
    }

    public Conversation replace(UUID id, NewConversation input, IfMatch ifMatch) {
        checks.metadata("metadata", input.metadata());
        checkTags(input.tags());
        Conversation conversation = current(id, ifMatch);
        apply(conversation, input);
        conversation.updatedAt = Ids.now();
        return written(conversation, ifMatch);
    }

    public void delete(UUID id, IfMatch ifMatch) {
        // Messages go with it through ON DELETE CASCADE, in this same transaction.
        if (ifMatch == null) {
            if (!Conversation.deleteOwned(id, null)) {
                throw notFound(id);
            }
            return;
        }
        Conversation conversation = current(id, ifMatch);
        if (!Conversation.deleteOwned(id, conversation.version)) {
            throw IfMatch.preconditionFailed();
        }
    }

    /** The caller's conversation, if the client's If-Match (when sent) still names its version. */
    private Conversation current(UUID id, IfMatch ifMatch) {
        Conversation conversation = get(id);
        if (ifMatch != null) {
            ifMatch.require(conversation.version);
        }
        return conversation;
    }

    /**
     * Writes the change now, so that a concurrent writer is detected here (the version check of the
     * UPDATE) and the answer carries the new version as its ETag.
     */
    private Conversation written(Conversation conversation, IfMatch ifMatch) {
        try {
            Conversation.flush();
        } catch (OptimisticLockException e) {
            throw IfMatch.conflict(ifMatch);
        }
        return conversation;
    }

    public int deleteByThread(String threadId) {
        return Conversation.deleteByThread(threadId);
    }

    public int deleteByEndpoint(String endpoint) {
        return Conversation.deleteByEndpoint(endpoint);
    }

    public int deleteAll() {
        return (int) Conversation.deleteAll();
    }

    /**
     * What {@link #recordMessage} found: whether an assistant reply is to be made for the message,
     * and the conversation's current leaf (null: none set) and message count before the message, so
     * that the message can follow the leaf without reading the conversation again.
     */
    public record Recorded(boolean replies, UUID currentLeafId, int messagesBefore) {
    }

    /**
     * Counts a new message in the conversation and moves its activity time, in one statement that
     * also proves the conversation is the caller's (no row: 404) and says whether it wants replies.
     * A user message that will get a reply counts its pending reply too, which is created
     * {@link #REPLY_AFTER} later. The UPDATE locks the row and works on its current values, so
     * concurrent inserts keep message_count exact, and greatest() keeps last_message_at at the
     * newest message even when a transaction that took its time earlier commits later. The version
     * moves with every change, so the conversation's ETag changes whenever its body does. The leaf
     * it returns cannot move until this transaction ends, as every writer of it locks the row first.
     */
    public Recorded recordMessage(UUID id, boolean userMessageWantingReply, Instant at) {
        List<?> rows = owned.query("""
                UPDATE conversation
                   SET message_count = message_count + 1
                           + CASE WHEN CAST(:wantsReply AS boolean) AND auto_reply THEN 1 ELSE 0 END,
                       last_message_at = greatest(last_message_at,
                           CASE WHEN CAST(:wantsReply AS boolean) AND auto_reply THEN CAST(:replyAt AS timestamptz)
                                ELSE CAST(:at AS timestamptz) END),
                       updated_at = greatest(updated_at, CAST(:at AS timestamptz)),
                       version = version + 1
                 WHERE id = :id AND user_id = :owner
                RETURNING auto_reply, current_leaf_id, message_count""", Map.of("id", id,
                        "wantsReply", userMessageWantingReply, "at", at, "replyAt", at.plus(REPLY_AFTER)))
                .getResultList();
        if (rows.isEmpty()) {
            throw notFound(id);
        }
        Object[] row = (Object[]) rows.get(0);
        boolean replies = userMessageWantingReply && Boolean.TRUE.equals(row[0]);
        int added = replies ? 2 : 1;
        return new Recorded(replies, (UUID) row[1], ((Number) row[2]).intValue() - added);
    }

    /** Moves the conversation's activity time (and its version) after one of its messages changed. */
    public void touch(UUID id, Instant at) {
        Conversation.touch(id, at);
    }

    /**
     * Locks the caller's conversation before one of its messages is removed (404 if it is not theirs).
     * Every statement that adds a message locks this row first, so once the lock is held no other
     * transaction has uncommitted messages in it, and the messages left can tell {@link #recordRemoval}
     * the counters.
     */
    public void lockForRemoval(UUID id) {
        if (owned.query("SELECT 1 FROM conversation WHERE id = :id AND user_id = :owner FOR UPDATE",
                Map.of("id", id)).getResultList().isEmpty()) {
            throw notFound(id);
        }
    }

    /**
     * After messages were removed under {@link #lockForRemoval}: message_count goes down by their
     * number and last_message_at becomes {@code lastMessageAt}, the newest message left (null: none).
     */
    public void recordRemoval(UUID id, int removed, Instant lastMessageAt, Instant at) {
        // No message left: NULL is written as such, as a null parameter has no type.
        Map<String, Object> params = new HashMap<>(Map.of("id", id, "at", at, "removed", removed));
        if (lastMessageAt != null) {
            params.put("lastAt", lastMessageAt);
        }
        owned.query("""
                UPDATE conversation
                   SET message_count = message_count - :removed, last_message_at = %s,
                       updated_at = greatest(updated_at, CAST(:at AS timestamptz)),
                       version = version + 1
                 WHERE id = :id AND user_id = :owner""".formatted(lastMessageAt == null ? "NULL" : ":lastAt"), params)
                .executeUpdate();
    }

    private static void apply(Conversation conversation, NewConversation input) {
        conversation.title = titleOrDefault(input.title());
        conversation.description = input.description();
        conversation.metadata = input.metadata();
        conversation.archived = input.archived();
        conversation.pinned = input.pinned();
        conversation.autoReply = input.autoReply();
        conversation.tags = normalTags(input.tags());
    }

    /** The caller's tags with the number of conversations (archived ones too) that carry each. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public List<TagCount> tags() {
        List<TagCount> counts = new ArrayList<>();
        for (Object row : owned.query("""
                SELECT t.tag, count(*) FROM conversation c, unnest(c.tags) AS t(tag)
                 WHERE c.user_id = :owner AND c.tags <> '{}'
                 GROUP BY t.tag ORDER BY count(*) DESC, t.tag
                 LIMIT :max""", Map.of("max", MAX_TAGS_LISTED)).getResultList()) {
            Object[] r = (Object[]) row;
            counts.add(new TagCount((String) r[0], ((Number) r[1]).longValue()));
        }
        return counts;
    }

    private static void checkTags(List<String> tags) {
        if (tags == null) {
            return;
        }
        List<String> problems = new ArrayList<>();
        if (tags.size() > TAGS_MAX_COUNT) {
            problems.add("must hold at most " + TAGS_MAX_COUNT + " tags");
        }
        Set<String> seen = new HashSet<>();
        for (String tag : tags) {
            String t = tag == null ? "" : tag.strip();
            if (t.isEmpty()) {
                problems.add("must not contain blank tags");
            } else if (t.codePointCount(0, t.length()) > TAG_MAX_LENGTH) {
                problems.add("each tag must be at most " + TAG_MAX_LENGTH + " characters");
            } else if (!seen.add(t)) {
                problems.add("must not repeat a tag");
            }
        }
        if (!problems.isEmpty()) {
            throw new ProblemException(400, "The request is not valid",
                    Map.of("tags", problems.stream().distinct().toList()));
        }
    }

    /** Tags as stored: stripped, in the order given. */
    private static List<String> normalTags(List<String> tags) {
        return tags == null ? List.of() : tags.stream().map(String::strip).toList();
    }

    /**
     * The tag filter of a list (?tag=a&tag=b: conversations carrying all of them): at most 16 tags of
     * 1..32 characters once stripped; anything else is a 400 naming the parameter.
     */
    public static List<String> tagFilter(List<String> raw) {
        if (raw == null || raw.isEmpty()) {
            return List.of();
        }
        List<String> tags = raw.stream().map(t -> t == null ? "" : t.strip()).distinct().toList();
        if (tags.size() > TAGS_MAX_COUNT || tags.stream().anyMatch(t -> t.isEmpty()
                || t.codePointCount(0, t.length()) > TAG_MAX_LENGTH)) {
            throw ProblemException.badRequest("tag", "must be at most " + TAGS_MAX_COUNT + " tags of 1 to "
                    + TAG_MAX_LENGTH + " characters");
        }
        return tags;
    }

    /** Makes {@code leaf} the end of the active path; the caller has checked that it is a message of the conversation. */
    public void moveCurrentLeaf(UUID id, UUID leaf, Instant at) {
        // No leaf (the last message went): NULL is written as such, as a null parameter has no type.
        owned.query("""
                UPDATE conversation
                   SET current_leaf_id = %s, updated_at = greatest(updated_at, CAST(:at AS timestamptz)),
                       version = version + 1
                 WHERE id = :id AND user_id = :owner""".formatted(leaf == null ? "NULL" : ":leaf"),
                leaf == null ? Map.of("id", id, "at", at) : Map.of("id", id, "leaf", leaf, "at", at)).executeUpdate();
    }

    private Instant expiry(NewConversation input, Instant now) {
        if (input.expiresAt() != null) {
            if (!input.expiresAt().isAfter(now)) {
                throw ProblemException.badRequest("expires_at", "must be in the future");
            }
            return input.expiresAt().truncatedTo(ChronoUnit.MICROS);
        }
        return input.temporary() ? now.plus(temporaryTtl) : null;
    }

    /** A missing or blank title means the default one, as front ends send "" for "no title". */
    static String titleOrDefault(String title) {
        return title == null || title.isBlank() ? Conversation.DEFAULT_TITLE : title.strip();
    }

    private static Boolean flagValue(ConversationPatch patch, String flag) {
        return switch (flag) {
            case "archived" -> patch.archived;
            case "pinned" -> patch.pinned;
            default -> patch.autoReply;
        };
    }

    public static ProblemException notFound(UUID id) {
        return ProblemException.notFound("No conversation " + id);
    }
}
