package dev.parley.conversation;

import dev.parley.common.Ids;
import dev.parley.common.Like;
import dev.parley.pagination.Position;
import dev.parley.pagination.Window;
import dev.parley.security.OwnerRestriction;
import io.quarkus.hibernate.orm.panache.Panache;
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
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.annotations.SQLRestriction;
import org.hibernate.type.SqlTypes;

/**
 * A user's conversation. Hibernate scopes every query, load and bulk statement to the current
 * identity's rows ({@link OwnerRestriction}), and row-level
 * security does beneath; message_count and last_message_at are kept by the same statements that
 * add and remove messages, so listing never counts rows.
 */
@Entity
@Table(name = "conversation")
@SQLRestriction(OwnerRestriction.CONDITION)
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

    // Queries the reply lifecycle needs.

    /**
     * Moves the conversation's activity time (and its version) forward to {@code now}, as
     * {@link #touch} does, but never back: a reply is stored long after it was asked for, and the
     * conversation may have changed meanwhile.
     */
    public static void advanceActivity(UUID id, Instant now) {
        getEntityManager().createNativeQuery("UPDATE conversation SET updated_at = :now, version = version + 1"
                + " WHERE id = :cid AND updated_at < :now")
                .setParameter("now", now)
                .setParameter("cid", id)
                .executeUpdate();
    }

    // Queries export, import and search need.

    /** A conversation's title and where its active path ends (null: no messages), as search shows them. */
    public record Heading(String title, UUID currentLeafId) {
    }

    /**
     * The headings of the caller's conversations among {@code ids}, in one primary-key read: a page
     * of search results names each hit's conversation and tells whether the hit is on its active path.
     * Native SQL, not HQL: Hibernate caches no plan for an HQL query with a list bound to a parameter
     * ({@code SqmInterpretationsKey.isCacheable} refuses multi-valued bindings), so
     * {@code where id in :ids} was translated anew on every search (a profile of {@code bench/run}'s
     * search put 276 of SearchService's 729 samples there).
     */
    public static Map<UUID, Heading> headings(Collection<UUID> ids) {
        Map<UUID, Heading> headings = new HashMap<>();
        if (ids.isEmpty()) {
            return headings;
        }
        for (Object r : ownerSql().query("""
                SELECT id, title, current_leaf_id FROM conversation WHERE user_id = :owner AND id = ANY(:ids)""",
                Map.of("ids", Ids.array(ids))).getResultList()) {
            Object[] row = (Object[]) r;
            headings.put((UUID) row[0], new Heading((String) row[1], (UUID) row[2]));
        }
        return headings;
    }

    /** Every column, named as the API's fields, jsonb as text. */
    private static final String EXPORT_COLUMNS = """
            id, title, description, archived, pinned, auto_reply, CAST(metadata AS text) AS metadata, message_count,
            last_message_at, created_at, updated_at, expires_at""";

    /**
     * The owner's conversations, oldest first, changed since {@code since} and archived as
     * {@code archived} when given, every column named as the API's field: bound, for the caller to
     * run (with the fetch size it streams by) and close. An export reads on a connection of its own,
     * in one snapshot outside any JTA transaction, so this takes that connection.
     */
    public static PreparedStatement exportQuery(Connection connection, String owner, Instant since, Boolean archived)
            throws SQLException {
        PreparedStatement select = connection.prepareStatement("SELECT " + EXPORT_COLUMNS + " FROM conversation"
                + " WHERE user_id = ?" + (since == null ? "" : " AND updated_at >= ?")
                + (archived == null ? "" : " AND archived = ?") + " ORDER BY created_at, id");
        try {
            int i = 1;
            select.setString(i++, owner);
            if (since != null) {
                select.setTimestamp(i++, Timestamp.from(since));
            }
            if (archived != null) {
                select.setBoolean(i, archived);
            }
            return select;
        } catch (SQLException e) {
            select.close();
            throw e;
        }
    }

    /**
     * The owner's conversation {@code id} (no row when there is none), as
     * {@link #exportQuery(Connection, String, Instant, Boolean)}.
     */
    public static PreparedStatement exportQuery(Connection connection, String owner, UUID id) throws SQLException {
        PreparedStatement select = connection.prepareStatement("SELECT " + EXPORT_COLUMNS
                + " FROM conversation WHERE id = ? AND user_id = ?");
        try {
            select.setObject(1, id);
            select.setString(2, owner);
            return select;
        } catch (SQLException e) {
            select.close();
            throw e;
        }
    }

    /** A conversation an import found already stored. */
    public record Imported(UUID id, String title) {
    }

    /**
     * The owner's conversation imported before from {@code sourceId} of {@code source} (metadata
     * imported_from and imported_id, the keys of conversation_import_source_idx), on the import's connection.
     */
    public static Optional<Imported> findImported(Connection connection, String owner, String source, String sourceId)
            throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("""
                SELECT id, title FROM conversation
                 WHERE user_id = ? AND metadata ?? 'imported_id'
                   AND metadata ->> 'imported_from' = ? AND metadata ->> 'imported_id' = ?""")) {
            select.setString(1, owner);
            select.setString(2, source);
            select.setString(3, sourceId);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? Optional.of(new Imported(rs.getObject(1, UUID.class), rs.getString(2)))
                        : Optional.empty();
            }
        }
    }

    /**
     * Inserts {@code row} as it is, its times included (an import keeps the source's), on the
     * import's connection. Its counters and leaf are set by {@link #finishImport} once its messages are in.
     */
    public static void insertImported(Connection connection, Conversation row) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("""
                INSERT INTO conversation (id, user_id, title, description, archived, pinned, auto_reply, metadata,
                                          created_at, updated_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, jsonb_object(CAST(? AS text[]), CAST(? AS text[])), ?, ?, ?)""")) {
            insert.setObject(1, row.id);
            insert.setString(2, row.userId);
            insert.setString(3, row.title);
            insert.setString(4, row.description);
            insert.setBoolean(5, row.archived);
            insert.setBoolean(6, row.pinned);
            insert.setBoolean(7, row.autoReply);
            // Metadata values are strings: jsonb_object pairs the keys with them.
            insert.setArray(8, connection.createArrayOf("text", row.metadata.keySet().toArray()));
            insert.setArray(9, connection.createArrayOf("text", row.metadata.values().toArray()));
            insert.setTimestamp(10, Timestamp.from(row.createdAt));
            insert.setTimestamp(11, Timestamp.from(row.updatedAt));
            insert.setTimestamp(12, row.expiresAt == null ? null : Timestamp.from(row.expiresAt));
            insert.executeUpdate();
        }
    }

    /**
     * Sets what an import computed once the conversation's messages are in: their count and latest
     * time (activity moves forward to it, never back), the current leaf, and {@code metadata} added
     * to the conversation's.
     */
    public static void finishImport(Connection connection, UUID id, String owner, int messageCount,
            Instant lastMessageAt, UUID currentLeafId, Map<String, String> metadata) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("""
                UPDATE conversation
                   SET message_count = ?, last_message_at = ?, current_leaf_id = ?,
                       updated_at = GREATEST(updated_at, COALESCE(?, updated_at)),
                       metadata = metadata || jsonb_object(CAST(? AS text[]), CAST(? AS text[]))
                 WHERE id = ? AND user_id = ?""")) {
            Timestamp last = lastMessageAt == null ? null : Timestamp.from(lastMessageAt);
            update.setInt(1, messageCount);
            update.setTimestamp(2, last);
            update.setObject(3, currentLeafId);
            update.setTimestamp(4, last);
            update.setArray(5, connection.createArrayOf("text", metadata.keySet().toArray()));
            update.setArray(6, connection.createArrayOf("text", metadata.values().toArray()));
            update.setObject(7, id);
            update.setString(8, owner);
            update.executeUpdate();
        }
    }

    /**
     * Deletes one batch of temporary conversations whose expires_at has passed at {@code at}, of
     * every user: run as the purge job ({@code DatabaseIdentity.Job.PURGE}), whose row-level
     * security policies (V21) let it choose, lock and delete conversations and nothing else.
     * FOR UPDATE SKIP LOCKED lets every replica purge at once: each takes rows no other holds, so
     * none waits and none deletes twice.
     *
     * @return the message counts of the deleted conversations (their messages go by ON DELETE CASCADE)
     */
    public static List<Integer> purgeExpired(Instant at, int batch) {
        return purge("""
                DELETE FROM conversation
                 WHERE id IN (SELECT id FROM conversation
                               WHERE expires_at <= :at
                               ORDER BY expires_at
                               LIMIT :batch
                                 FOR UPDATE SKIP LOCKED)
                RETURNING message_count""", at, batch);
    }

    /**
     * Deletes one batch of conversations with no activity (updated_at moves with every change and
     * message) since {@code cutoff}, as {@link #purgeExpired}. No index serves it (see V17): the
     * scan stops as soon as it has a batch.
     */
    public static List<Integer> purgeInactive(Instant cutoff, int batch) {
        return purge("""
                DELETE FROM conversation
                 WHERE id IN (SELECT id FROM conversation
                               WHERE updated_at < :at
                               LIMIT :batch
                                 FOR UPDATE SKIP LOCKED)
                RETURNING message_count""", cutoff, batch);
    }

    private static List<Integer> purge(String statement, Instant at, int batch) {
        List<?> counts = Panache.getEntityManager(Conversation.class).createNativeQuery(statement)
                .setParameter("at", Timestamp.from(at)).setParameter("batch", batch).getResultList();
        return counts.stream().map(count -> ((Number) count).intValue()).toList();
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
