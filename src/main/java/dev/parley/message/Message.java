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
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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

    // Queries export, import and search need.

    /**
     * The owner's messages of the conversation, oldest first, every column named as the API's
     * field (jsonb as text): bound, for the caller to run (with the fetch size it streams by) and
     * close, on an export's connection of its own (one snapshot outside any JTA transaction).
     */
    public static PreparedStatement exportQuery(Connection connection, UUID conversationId, String owner)
            throws SQLException {
        PreparedStatement select = connection.prepareStatement("""
                SELECT id, conversation_id, role, content, status, parent_id, thread_id, endpoint, model,
                       CAST(tool_calls AS text) AS tool_calls, CAST(metadata AS text) AS metadata,
                       created_at, updated_at
                  FROM message WHERE conversation_id = ? AND user_id = ? ORDER BY created_at, id""");
        try {
            select.setObject(1, conversationId);
            select.setString(2, owner);
            return select;
        } catch (SQLException e) {
            select.close();
            throw e;
        }
    }

    /**
     * Inserts the rows of {@code rows} as the owner's messages of the conversation, in one statement
     * on the import's connection: {@code rows} is a constant query of the caller's (never input)
     * over its own staging, yielding id, role, content, status, parent_id (already the new ids),
     * thread_id, endpoint, model, tool_calls, metadata, created_at and updated_at. One statement
     * moves any number of rows without either package naming the other's table, and parent_id's
     * foreign key is checked at its end, so parents need not come first.
     *
     * @return the newest message inserted (by created_at, then id), or null when there was none
     */
    public static UUID insertImported(Connection connection, UUID conversationId, String owner, String rows)
            throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("""
                WITH moved AS (
                    INSERT INTO message (id, conversation_id, user_id, role, content, status, parent_id, thread_id,
                                         endpoint, model, tool_calls, metadata, created_at, updated_at)
                    SELECT r.id, ?, ?, r.role, r.content, r.status, r.parent_id, r.thread_id, r.endpoint, r.model,
                           r.tool_calls, r.metadata, r.created_at, r.updated_at
                      FROM (%s) r
                    RETURNING id, created_at)
                SELECT id FROM moved ORDER BY created_at DESC, id DESC LIMIT 1""".formatted(rows))) {
            insert.setObject(1, conversationId);
            insert.setString(2, owner);
            try (ResultSet newest = insert.executeQuery()) {
                return newest.next() ? newest.getObject(1, UUID.class) : null;
            }
        }
    }

    /**
     * Gives every message of the conversation that has no parent, but the first, the message before
     * it (by created_at, then id) as its parent: what an import does for a linear source, or for a
     * parent missing from the file.
     */
    public static void linkToPrevious(Connection connection, UUID conversationId, String owner) throws SQLException {
        try (PreparedStatement link = connection.prepareStatement("""
                UPDATE message m SET parent_id = previous.previous_id
                  FROM (SELECT id, lag(id) OVER (ORDER BY created_at, id) AS previous_id
                          FROM message WHERE conversation_id = ? AND user_id = ?) previous
                 WHERE m.id = previous.id AND m.parent_id IS NULL AND previous.previous_id IS NOT NULL""")) {
            link.setObject(1, conversationId);
            link.setString(2, owner);
            link.executeUpdate();
        }
    }
}
