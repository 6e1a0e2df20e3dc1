package dev.parley.message;

import dev.parley.common.Like;
import dev.parley.pagination.Position;
import dev.parley.pagination.Window;
import dev.parley.security.OwnerFilter;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.hibernate.annotations.Filter;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * One message of a conversation. The owner's user id is stored on the row itself so that every
 * message query is scoped without a join: Hibernate adds it to every query, load and bulk
 * statement ({@link OwnerFilter}), inherited Panache statics included, and row-level security
 * checks it beneath.
 */
@Entity
@Table(name = "message")
@Filter(name = OwnerFilter.NAME)
public class Message extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "conversation_id", nullable = false, updatable = false)
    public UUID conversationId;

    @Column(name = "user_id", nullable = false, updatable = false)
    public String userId;

    @Column(nullable = false, updatable = false, length = 16)
    public Role role;

    @Column(nullable = false, columnDefinition = "text")
    public String content;

    @Column(nullable = false, length = 16)
    public MessageStatus status = MessageStatus.COMPLETE;

    @Column(name = "parent_id")
    public UUID parentId;

    @Column(name = "thread_id", length = 255)
    public String threadId;

    @Column(length = 100)
    public String endpoint;

    @Column(length = 255)
    public String model;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "tool_calls", nullable = false)
    public List<Map<String, Object>> toolCalls = List.of();

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public Map<String, Object> metadata = Map.of();

    @Version
    public long version;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    /** What a conversation's message list is filtered by; null role or text lets everything pass. */
    public record Criteria(UUID conversationId, Role role, String text) {

        /** Whether only the conversation narrows the list, so its stored counter is the count. */
        public boolean whole() {
            return role == null && text == null;
        }
    }

    /** The message of the conversation, if it is the caller's. */
    public static Optional<Message> findOwned(UUID conversationId, UUID id) {
        return find("conversationId = ?1 and id = ?2", conversationId, id).firstResultOptional();
    }

    public static boolean exists(UUID conversationId, UUID id) {
        return count("conversationId = ?1 and id = ?2", conversationId, id) > 0;
    }

    /**
     * The messages of the conversation among {@code ids}, in no particular order. Read by primary
     * key only, the conversation checked here: with the conversation in the condition too, the
     * generic plan of the server-prepared statement read the whole conversation through its index
     * for every page of a deep tree's active path (QueryPlanTest).
     */
    public static List<Message> findOwned(UUID conversationId, Collection<UUID> ids) {
        return Message.<Message> list("id in ?1", ids).stream().filter(m -> m.conversationId.equals(conversationId))
                .toList();
    }

    /** The messages sharing the message's parent (for a root, the conversation's roots), oldest first. */
    public static List<Message> siblings(Message message) {
        Sort order = Sort.by("createdAt").and("id");
        return message.parentId == null
                ? list("conversationId = ?1 and parentId is null", order, message.conversationId)
                : list("conversationId = ?1 and parentId = ?2", order, message.conversationId, message.parentId);
    }

    /** One window of the conversation's messages that pass {@code filter}, read-only (pages are only shown). */
    public static List<Message> page(Criteria filter, Window<MessageOrder> window) {
        return window.read(Message.class, where(filter), parameters(filter), "createdAt");
    }

    public static long count(Criteria filter) {
        return count(where(filter), parameters(filter));
    }

    private static String where(Criteria filter) {
        return "conversationId = :cid" + (filter.role() == null ? "" : " and role = :role")
                + (filter.text() == null ? "" : " and content ilike :q escape '\\'");
    }

    private static Parameters parameters(Criteria filter) {
        Parameters params = Parameters.with("cid", filter.conversationId());
        if (filter.role() != null) {
            params.and("role", filter.role());
        }
        if (filter.text() != null) {
            params.and("q", Like.contains(filter.text()));
        }
        return params;
    }

    /**
     * Up to {@code limit} messages of the conversation by creation time, strictly after {@code after}
     * in that order when given (the OpenAI-style {@code after} paging of /v1).
     */
    public static List<Message> byCreation(UUID conversationId, Position after, boolean newestFirst, int limit) {
        Sort.Direction direction = newestFirst ? Sort.Direction.Descending : Sort.Direction.Ascending;
        Sort order = Sort.by("createdAt", direction).and("id", direction);
        Parameters params = Parameters.with("cid", conversationId);
        String where = "conversationId = :cid";
        if (after != null) {
            String op = newestFirst ? "<" : ">";
            where += " and (createdAt " + op + " :afterAt or (createdAt = :afterAt and id " + op + " :afterId))";
            params.and("afterAt", after.key()).and("afterId", after.id());
        }
        return Message.<Message>find(where, order, params).range(0, limit - 1).list();
    }
}
