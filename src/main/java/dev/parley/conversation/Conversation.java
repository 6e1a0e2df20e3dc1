package dev.parley.conversation;

import dev.parley.common.Like;
import dev.parley.pagination.Position;
import dev.parley.pagination.Window;
import dev.parley.security.OwnerFilter;
import dev.parley.security.OwnerSql;
import io.quarkus.arc.Arc;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import io.quarkus.hibernate.orm.panache.PanacheQuery;
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
import org.hibernate.annotations.FilterDef;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.annotations.ParamDef;
import org.hibernate.type.SqlTypes;

/**
 * A user's conversation. Hibernate scopes every query, load and bulk statement to the current
 * identity's rows ({@link OwnerFilter}, defined here for every user entity), and row-level
 * security does beneath; message_count and last_message_at are kept by the same statements that
 * add and remove messages, so listing never counts rows.
 */
@Entity
@Table(name = "conversation")
@FilterDef(name = OwnerFilter.NAME, defaultCondition = OwnerFilter.CONDITION, autoEnabled = true,
        applyToLoadByKey = true,
        parameters = @ParamDef(name = OwnerFilter.PARAMETER, type = String.class, resolver = OwnerFilter.class))
@Filter(name = OwnerFilter.NAME)
public class Conversation extends PanacheEntityBase {

    public static final String DEFAULT_TITLE = "New Conversation";

    @Id
    public UUID id;

    @Column(name = "user_id", nullable = false, updatable = false)
    public String userId;

    @Column(nullable = false, length = 255)
    public String title = DEFAULT_TITLE;

    @Column(length = 500)
    public String description;

    @Column(nullable = false)
    public boolean archived;

    @Column(nullable = false)
    public boolean pinned;

    @Column(name = "auto_reply", nullable = false)
    public boolean autoReply = true;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public Map<String, String> metadata = Map.of();

    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(nullable = false, columnDefinition = "varchar[]")
    public List<String> tags = List.of();

    /**
     * The end of the active path. Written only by statements that lock the row (new messages,
     * branch switches, deletes), never by a flush of this entity, so an edit of the title cannot
     * put back a leaf that a concurrent message replaced.
     */
    @Column(name = "current_leaf_id", insertable = false, updatable = false)
    public UUID currentLeafId;

    @Column(name = "message_count", nullable = false, insertable = false, updatable = false)
    public int messageCount;

    @Column(name = "last_message_at", insertable = false, updatable = false)
    public Instant lastMessageAt;

    @Version
    public long version;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    /** When set, the purge deletes the conversation and its messages after this instant. */
    @Column(name = "expires_at", updatable = false)
    public Instant expiresAt;

    /** What a list of conversations is filtered by; a null or empty filter lets everything pass. */
    public record Criteria(boolean archived, Boolean pinned, List<String> tags, String text) {
    }

    public static Optional<Conversation> findOwned(UUID id) {
        return findByIdOptional(id);
    }

    /** One window of the conversations that pass {@code filter}, read-only (pages are only shown). */
    public static List<Conversation> page(Criteria filter, Window<ConversationOrder> window) {
        return window.read(Conversation.class, where(filter), parameters(filter), "updatedAt");
    }

    public static long count(Criteria filter) {
        return count(where(filter), parameters(filter));
    }

    private static String where(Criteria filter) {
        StringBuilder where = new StringBuilder("archived = :archived");
        if (!filter.tags().isEmpty()) {
            // tags @> the requested ones: all of them, served by the GIN index on (user_id, tags).
            where.append(" and array_includes(tags, :tags)");
        }
        if (filter.pinned() != null) {
            where.append(" and pinned = :pinned");
        }
        if (filter.text() != null) {
            where.append(" and (title ilike :q escape '\\' or description ilike :q escape '\\')");
        }
        return where.toString();
    }

    private static Parameters parameters(Criteria filter) {
        Parameters params = Parameters.with("archived", filter.archived());
        if (!filter.tags().isEmpty()) {
            // An array, not a list: a list parameter would be expanded into (?, ?).
            params.and("tags", filter.tags().toArray(String[]::new));
        }
        if (filter.pinned() != null) {
            params.and("pinned", filter.pinned());
        }
        if (filter.text() != null) {
            params.and("q", Like.contains(filter.text()));
        }
        return params;
    }

    /** Deletes the conversation (its messages go by cascade), if it still has {@code version} when given. */
    public static boolean deleteOwned(UUID id, Long version) {
        return version == null ? delete("id", id) > 0
                : delete("id = ?1 and version = ?2", id, version) > 0;
    }

    /** Deletes every conversation that has a message of the thread. */
    public static int deleteByThread(String threadId) {
        return (int) delete("from Conversation c where exists (select 1 from Message m where m.conversationId = c.id"
                + " and m.userId = c.userId and m.threadId = ?1)", threadId);
    }

    /** Deletes every conversation that has a message sent to the endpoint. */
    public static int deleteByEndpoint(String endpoint) {
        return (int) delete("from Conversation c where exists (select 1 from Message m where m.conversationId = c.id"
                + " and m.userId = c.userId and m.endpoint = ?1)", endpoint);
    }

    /** Moves the conversation's activity time (and its version) after one of its messages changed. */
    public static void touch(UUID id, Instant at) {
        update("updatedAt = ?1, version = version + 1 where id = ?2", at, id);
    }

    /**
     * Up to {@code limit} conversations by creation time, strictly after {@code after} in that order
     * when given (the OpenAI-style {@code after} paging of /v1).
     */
    public static List<Conversation> byCreation(Position after, boolean newestFirst, int limit) {
        Sort.Direction direction = newestFirst ? Sort.Direction.Descending : Sort.Direction.Ascending;
        Sort order = Sort.by("createdAt", direction).and("id", direction);
        PanacheQuery<Conversation> query = findAll(order);
        if (after != null) {
            String op = newestFirst ? "<" : ">";
            query = find("createdAt " + op + " :afterAt or (createdAt = :afterAt and id " + op + " :afterId)", order,
                    Parameters.with("afterAt", after.key()).and("afterId", after.id()));
        }
        return query.range(0, limit - 1).list();
    }

    // Queries the conversation tree needs.

    /** Where the active path ends as stored (null: none set) and how many messages the conversation holds. */
    public record Tip(UUID currentLeafId, int messageCount) {
    }

    /** The caller's conversation's current leaf and message count; empty when it is not theirs. */
    public static Optional<Tip> tip(UUID id) {
        return getEntityManager()
                .createQuery("select c.currentLeafId, c.messageCount from Conversation c where c.id = :id",
                        Object[].class)
                .setParameter("id", id).getResultStream().findFirst()
                .map(row -> new Tip((UUID) row[0], ((Number) row[1]).intValue()));
    }

    /** The current leaves of those of the caller's conversations that have one. */
    public static List<UUID> currentLeaves(Collection<UUID> ids) {
        return getEntityManager()
                .createQuery("select c.currentLeafId from Conversation c where c.id in :ids"
                        + " and c.currentLeafId is not null", UUID.class)
                .setParameter("ids", ids).getResultList();
    }

    /** Whether the caller's conversation answers new user messages; empty when it is not theirs. */
    public static Optional<Boolean> autoReply(UUID id) {
        return getEntityManager()
                .createQuery("select c.autoReply from Conversation c where c.id = :id", Boolean.class)
                .setParameter("id", id).getResultStream().findFirst();
    }

    /**
     * The counters and leaf of a fork once its copies are stored: they are known from the copy,
     * so nothing is counted again.
     */
    public static void recordFork(UUID id, int messageCount, UUID leaf, Instant lastMessageAt) {
        ownerSql().query("""
                UPDATE conversation
                   SET message_count = :count, current_leaf_id = :leaf, last_message_at = :lastAt
                 WHERE id = :id AND user_id = :owner""",
                Map.of("id", id, "count", messageCount, "leaf", leaf, "lastAt", lastMessageAt)).executeUpdate();
    }

    private static OwnerSql ownerSql() {
        return Arc.container().instance(OwnerSql.class).get();
    }
}
