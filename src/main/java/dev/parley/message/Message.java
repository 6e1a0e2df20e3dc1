package dev.parley.message;

import dev.parley.common.Ids;
import dev.parley.common.Like;
import dev.parley.pagination.Position;
import dev.parley.pagination.Window;
import dev.parley.security.OwnerRestriction;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Duration;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.annotations.SQLRestriction;
import org.hibernate.type.SqlTypes;

/**
 * One message of a conversation. The owner's user id is stored on the row itself so that every
 * message query is scoped without a join: Hibernate adds it to every query, load and bulk
 * statement ({@link OwnerRestriction}), inherited Panache statics included, and row-level security
 * checks it beneath.
 */
@Entity
@Table(name = "message")
@SQLRestriction(OwnerRestriction.CONDITION)
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

    // Queries the reply lifecycle needs.
    // The reply workers run outside any request, so these statements take the owner (or no owner,
    // for the replies job, which row-level security lets reach pending replies only) from the
    // caller instead of OwnerSql, and each is conditional on the claim token where a claim is held.

    /** A pending reply as a claim took it: its conversation and owner, when it was asked for, the attempt. */
    public record ReplyClaim(UUID id, UUID conversationId, String userId, Instant createdAt, int attempts) {
    }

    /** A complete message on the path above a reply, {@code depth} steps up from where the walk started. */
    public record PathStep(UUID id, Role role, String content, int depth) {
    }

    /** Claims the reply for {@code lease} if it is still pending and nobody holds a live claim on it. */
    public static Optional<ReplyClaim> claimReply(UUID id, UUID token, Duration lease) {
        List<?> rows = getEntityManager().createNativeQuery("""
                UPDATE message
                   SET claimed_until = now() + make_interval(secs => :lease),
                       claim_token = :token,
                       reply_attempts = reply_attempts + 1
                 WHERE id = :id AND status = 'pending'
                   AND (claimed_until IS NULL OR claimed_until < now())
                RETURNING conversation_id, user_id, created_at, reply_attempts""")
                .setParameter("lease", seconds(lease))
                .setParameter("token", token)
                .setParameter("id", id)
                .getResultList();
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        Object[] row = (Object[]) rows.get(0);
        return Optional.of(new ReplyClaim(id, (UUID) row[0], (String) row[1], Ids.instant(row[2]),
                ((Number) row[3]).intValue()));
    }

    /**
     * Claims up to {@code limit} pending replies that nobody holds, oldest first, all under one
     * token. SKIP LOCKED lets every instance claim at once without waiting on each other or taking
     * the same reply.
     */
    public static List<ReplyClaim> claimPendingReplies(UUID token, Duration lease, int limit) {
        List<?> rows = getEntityManager().createNativeQuery("""
                WITH candidate AS MATERIALIZED (
                    SELECT id FROM message
                     WHERE status = 'pending' AND (claimed_until IS NULL OR claimed_until < now())
                     ORDER BY created_at
                     LIMIT :limit
                       FOR UPDATE SKIP LOCKED)
                UPDATE message m
                   SET claimed_until = now() + make_interval(secs => :lease),
                       claim_token = :token,
                       reply_attempts = m.reply_attempts + 1
                  FROM candidate
                 WHERE m.id = candidate.id
                RETURNING m.id, m.conversation_id, m.user_id, m.created_at, m.reply_attempts""")
                .setParameter("lease", seconds(lease))
                .setParameter("token", token)
                .setParameter("limit", limit)
                .getResultList();
        // Materialised, the candidates are chosen once. As a subquery joined to the UPDATE, the
        // planner could rescan it, and each rescan skipped the rows already locked and took the
        // next: LIMIT 1 claimed four replies, of which the worker ran one and the rest waited out
        // their lease (AssistantSettingsTest, 30 s a reply).
        List<ReplyClaim> claims = new ArrayList<>(rows.size());
        for (Object r : rows) {
            Object[] row = (Object[]) r;
            claims.add(new ReplyClaim((UUID) row[0], (UUID) row[1], (String) row[2], Ids.instant(row[3]),
                    ((Number) row[4]).intValue()));
        }
        return claims;
    }

    /**
     * Extends the lease of every reply among {@code ids} that one of {@code tokens} still holds, in
     * one statement.
     *
     * @return the replies still held
     */
    public static Set<UUID> renewClaims(Collection<UUID> ids, Collection<UUID> tokens, Duration lease) {
        List<?> rows = getEntityManager().createNativeQuery("""
                UPDATE message SET claimed_until = now() + make_interval(secs => :lease)
                 WHERE id = ANY(:ids) AND claim_token = ANY(:tokens) AND status = 'pending'
                RETURNING id""")
                .setParameter("lease", seconds(lease))
                .setParameter("ids", Ids.array(ids))
                .setParameter("tokens", Ids.array(tokens))
                .getResultList();
        Set<UUID> held = new HashSet<>();
        for (Object id : rows) {
            held.add((UUID) id);
        }
        return held;
    }

    /** Extends the lease of the reply if {@code token} still holds it; false when the claim was lost. */
    public static boolean renewClaim(UUID id, UUID token, Duration lease) {
        return getEntityManager().createNativeQuery("""
                UPDATE message SET claimed_until = now() + make_interval(secs => :lease)
                 WHERE id = :id AND claim_token = :token AND status = 'pending'""")
                .setParameter("lease", seconds(lease))
                .setParameter("id", id)
                .setParameter("token", token)
                .executeUpdate() == 1;
    }

    /**
     * The complete messages from {@code start} up to the root, at most {@code limit} of them, in no
     * particular order ({@link PathStep#depth} orders them). The walk stops once the LIMIT is reached
     * (PostgreSQL evaluates the recursion lazily), so a deep tree costs only what is read.
     */
    public static List<PathStep> completePathUp(String owner, UUID conversationId, UUID start, int limit) {
        List<?> rows = getEntityManager().createNativeQuery("""
                WITH RECURSIVE path(id, parent_id, role, content, status, depth) AS (
                    SELECT m.id, m.parent_id, m.role, m.content, m.status, 0 FROM message m
                     WHERE m.id = :start AND m.conversation_id = :cid AND m.user_id = :owner
                  UNION ALL
                    SELECT m.id, m.parent_id, m.role, m.content, m.status, p.depth + 1
                      FROM path p JOIN message m ON m.id = p.parent_id
                     WHERE m.user_id = :owner AND p.depth < 1000000
                )
                SELECT id, role, content, depth FROM path WHERE status = 'complete' LIMIT :window""")
                .setParameter("start", start)
                .setParameter("cid", conversationId)
                .setParameter("owner", owner)
                .setParameter("window", limit)
                .getResultList();
        List<PathStep> steps = new ArrayList<>(rows.size());
        for (Object r : rows) {
            Object[] row = (Object[]) r;
            steps.add(new PathStep((UUID) row[0], Role.fromWire((String) row[1]), (String) row[2],
                    ((Number) row[3]).intValue()));
        }
        return steps;
    }

    /**
     * Where the next reply's context starts from {@code leaf}: the leaf itself, or, when the leaf is
     * a reply still being generated, the message it answers. Empty when the leaf is gone.
     */
    public static Optional<UUID> contextStart(String owner, UUID leaf) {
        List<?> rows = getEntityManager().createNativeQuery("""
                SELECT CASE WHEN status = 'pending' THEN parent_id ELSE id END
                  FROM message WHERE id = :leaf AND user_id = :owner""")
                .setParameter("leaf", leaf)
                .setParameter("owner", owner)
                .getResultList();
        return rows.isEmpty() ? Optional.empty() : Optional.ofNullable((UUID) rows.get(0));
    }

    /**
     * Stores the reply's answer if {@code token} still holds it, keeping the endpoint and model it
     * was asked for when they were named; false when another claim took it over.
     *
     * @param toolCallsJson the tool calls as a JSON array
     */
    public static boolean completeReply(UUID id, UUID token, String content, String toolCallsJson, String endpoint,
            String model, Instant now) {
        return getEntityManager().createNativeQuery("""
                UPDATE message
                   SET content = :content, status = 'complete', tool_calls = CAST(:toolCalls AS jsonb),
                       endpoint = COALESCE(endpoint, :endpoint), model = COALESCE(model, :model),
                       claimed_until = NULL, claim_token = NULL, updated_at = :now, version = version + 1
                 WHERE id = :id AND claim_token = :token AND status = 'pending'""")
                .setParameter("content", content)
                .setParameter("toolCalls", toolCallsJson)
                .setParameter("endpoint", endpoint)
                .setParameter("model", model)
                .setParameter("now", now)
                .setParameter("id", id)
                .setParameter("token", token)
                .executeUpdate() == 1;
    }

    /** Marks the reply failed with the reason in its metadata if {@code token} still holds it. */
    public static boolean failReply(UUID id, UUID token, String reason, String errorType, String endpoint,
            Instant now) {
        return getEntityManager().createNativeQuery("""
                UPDATE message
                   SET status = 'failed', endpoint = COALESCE(endpoint, :endpoint),
                       metadata = metadata || jsonb_build_object('error', CAST(:reason AS text),
                                                                 'error_type', CAST(:type AS text)),
                       claimed_until = NULL, claim_token = NULL, updated_at = :now, version = version + 1
                 WHERE id = :id AND claim_token = :token AND status = 'pending'""")
                .setParameter("endpoint", endpoint)
                .setParameter("reason", reason)
                .setParameter("type", errorType)
                .setParameter("now", now)
                .setParameter("id", id)
                .setParameter("token", token)
                .executeUpdate() == 1;
    }

    /**
     * Hands the reply back unclaimed if {@code token} holds it, not counting the attempt, so another
     * claim takes it at once.
     */
    public static boolean releaseClaim(UUID id, UUID token) {
        return getEntityManager().createNativeQuery("""
                UPDATE message
                   SET claimed_until = NULL, claim_token = NULL, reply_attempts = reply_attempts - 1
                 WHERE id = :id AND claim_token = :token AND status = 'pending'""")
                .setParameter("id", id)
                .setParameter("token", token)
                .executeUpdate() == 1;
    }

    /** Pending replies the current identity sees (every user's, for the replies job). */
    public static long countPending() {
        return ((Number) getEntityManager().createNativeQuery("SELECT count(*) FROM message WHERE status = 'pending'")
                .getSingleResult()).longValue();
    }

    private static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
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
