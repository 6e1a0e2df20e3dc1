package dev.parley.assistant;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.common.Ids;
import dev.parley.message.Message;
import dev.parley.message.Role;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * All SQL of the reply lifecycle: claims, leases, history, the text of a reply in progress
 * (reply_chunk), and the final store. Background work (the workers, the heartbeat, the sweep)
 * runs outside any request, so it is keyed only by ids read from the database (never by user
 * input) and touches only the claimed reply and its own conversation; user-facing code binds the
 * caller through {@link dev.parley.security.OwnerSql} instead. Callers run each method in a transaction of their
 * own, under the replies job's database identity
 * ({@link dev.parley.security.DatabaseIdentity.Job#REPLIES}: pending replies of every user), or for
 * the work on one claim (history, chunks, outcome, conversation) as the claim's owner; reply streams
 * read {@link #progress} on threads of their own, as the owner their request verified. The
 * exception is {@link #claim} by a chat, which claims the reply in the request's transaction that
 * created it, as the request's user.
 */
@ApplicationScoped
public class ReplyStore {

    /** A reply this worker holds: its conversation and owner, when it was asked for, and the claim attempt. */
    public record Claim(UUID replyId, UUID conversationId, String userId, Instant createdAt, int attempts,
            UUID token) {
    }

    @Inject
    EntityManager em;

    @Inject
    ObjectMapper json;

    @Inject
    ContextWindow context;

    /** Claims one reply if it is still pending and nobody holds a live claim on it. */
    public Claim claim(UUID replyId, Duration lease) {
        // The reply may have been persisted in this same transaction (a chat claims its own reply).
        em.flush();
        UUID token = UUID.randomUUID();
        List<?> rows = em.createNativeQuery("""
                UPDATE message
                   SET claimed_until = now() + make_interval(secs => :lease),
                       claim_token = :token,
                       reply_attempts = reply_attempts + 1
                 WHERE id = :id AND status = 'pending'
                   AND (claimed_until IS NULL OR claimed_until < now())
                RETURNING conversation_id, user_id, created_at, reply_attempts""")
                .setParameter("lease", seconds(lease))
                .setParameter("token", token)
                .setParameter("id", replyId)
                .getResultList();
        if (rows.isEmpty()) {
            return null;
        }
        Object[] row = (Object[]) rows.get(0);
        return new Claim(replyId, (UUID) row[0], (String) row[1], Ids.instant(row[2]), ((Number) row[3]).intValue(),
                token);
    }

    /**
     * Claims up to {@code limit} replies that nobody holds, oldest first: new ones, ones handed back
     * on shutdown, and ones whose lease ran out because their instance died. Callers ask for no
     * more than they can start now, so a claim never waits in a queue while its lease runs out.
     * SKIP LOCKED lets every instance claim at once without waiting on each other or taking the
     * same reply.
     */
    public List<Claim> claimNext(Duration lease, int limit) {
        UUID token = UUID.randomUUID();
        List<?> rows = em.createNativeQuery("""
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
        List<Claim> claims = new ArrayList<>(rows.size());
        for (Object r : rows) {
            Object[] row = (Object[]) r;
            claims.add(new Claim((UUID) row[0], (UUID) row[1], (String) row[2], Ids.instant(row[3]),
                    ((Number) row[4]).intValue(), token));
        }
        return claims;
    }

    /**
     * The heartbeat: extends the lease of every reply this instance still holds, in one statement.
     *
     * @return the claim tokens that still hold their reply; a token missing here lost it
     */
    public Set<UUID> renew(Collection<Claim> claims, Duration lease) {
        if (claims.isEmpty()) {
            return Set.of();
        }
        List<UUID> tokens = claims.stream().map(Claim::token).distinct().toList();
        List<UUID> ids = claims.stream().map(Claim::replyId).toList();
        List<?> rows = em.createNativeQuery("""
                UPDATE message SET claimed_until = now() + make_interval(secs => :lease)
                 WHERE id IN (:ids) AND claim_token IN (:tokens) AND status = 'pending'
                RETURNING id""")
                .setParameter("lease", seconds(lease))
                .setParameter("ids", ids)
                .setParameter("tokens", tokens)
                .getResultList();
        Set<UUID> held = new HashSet<>();
        for (Object id : rows) {
            held.add((UUID) id);
        }
        return held;
    }

    /**
     * The last check before the model is called: renews the lease if this claim still holds the
     * reply and reads the history the model will see.
     *
     * @return the history, or null when the claim was lost (taken over or handed back)
     */
    public List<Turn> begin(Claim claim, Duration lease, int window) {
        int held = em.createNativeQuery("""
                UPDATE message SET claimed_until = now() + make_interval(secs => :lease)
                 WHERE id = :id AND claim_token = :token AND status = 'pending'""")
                .setParameter("lease", seconds(lease))
                .setParameter("id", claim.replyId())
                .setParameter("token", claim.token())
                .executeUpdate();
        if (held == 1) {
            // Text left by an earlier attempt that died: this attempt starts the reply again.
            dropChunks(claim);
        }
        return held == 1 ? history(claim, window) : null;
    }

    /**
     * What the model sees for the reply: the path above it (the message it answers and that
     * message's ancestors), trimmed to the token budget by {@link ContextWindow}.
     */
    List<Turn> history(Claim claim, int window) {
        List<?> parent = em.createNativeQuery("SELECT parent_id FROM message WHERE id = :id AND user_id = :owner")
                .setParameter("id", claim.replyId())
                .setParameter("owner", claim.userId())
                .getResultList();
        if (parent.isEmpty() || parent.get(0) == null) {
            return List.of();
        }
        return window(claim.userId(), claim.conversationId(), (UUID) parent.get(0), window).turns();
    }

    /**
     * The context window of a reply to {@code start}: the complete messages from {@code start} up
     * to the root, newest first, at most {@code window} of them (read with the first step of the
     * walk that goes beyond; PostgreSQL stops the recursion when the LIMIT is reached), then
     * trimmed to the token budget.
     */
    public ContextWindow.Window window(String owner, UUID conversationId, UUID start, int window) {
        List<?> rows = em.createNativeQuery("""
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
                .setParameter("window", window + 1)
                .getResultList();
        List<Object[]> newestFirst = new ArrayList<>(rows.size());
        rows.forEach(r -> newestFirst.add((Object[]) r));
        newestFirst.sort(Comparator.comparingInt(row -> ((Number) row[3]).intValue()));
        boolean more = newestFirst.size() > window;
        List<ContextWindow.Candidate> candidates = new ArrayList<>(Math.min(window, newestFirst.size()));
        for (Object[] row : newestFirst.subList(0, Math.min(window, newestFirst.size()))) {
            candidates.add(new ContextWindow.Candidate((UUID) row[0], Role.fromWire((String) row[1]), (String) row[2]));
        }
        return context.fit(candidates, more);
    }

    /**
     * Where the next reply's context starts, for GET …/context: at the current leaf, or, when the
     * leaf is a reply still being generated, at the message it answers (that reply's own context).
     */
    public UUID nextContextStart(String owner, UUID leaf) {
        List<?> rows = em.createNativeQuery("""
                SELECT CASE WHEN status = 'pending' THEN parent_id ELSE id END
                  FROM message WHERE id = :leaf AND user_id = :owner""")
                .setParameter("leaf", leaf)
                .setParameter("owner", owner)
                .getResultList();
        return rows.isEmpty() ? null : (UUID) rows.get(0);
    }

    /** Stores the reply if this claim still holds it; false when another worker took it over. */
    public boolean complete(Claim claim, Reply reply, String provider, String model) {
        Instant now = Ids.now();
        int updated = em.createNativeQuery("""
                UPDATE message
                   SET content = :content, status = 'complete', tool_calls = CAST(:toolCalls AS jsonb),
                       endpoint = COALESCE(endpoint, :endpoint), model = COALESCE(model, :model),
                       claimed_until = NULL, claim_token = NULL, updated_at = :now, version = version + 1
                 WHERE id = :id AND claim_token = :token AND status = 'pending'""")
                .setParameter("content", reply.content())
                .setParameter("toolCalls", toJson(reply.toolCalls()))
                .setParameter("endpoint", provider)
                .setParameter("model", model)
                .setParameter("now", now)
                .setParameter("id", claim.replyId())
                .setParameter("token", claim.token())
                .executeUpdate();
        settled(claim, updated, now);
        return updated == 1;
    }

    /** Marks the reply failed, keeping the reason in its metadata; the user's message is untouched. */
    public boolean fail(Claim claim, String reason, String errorType, String provider) {
        Instant now = Ids.now();
        int updated = em.createNativeQuery("""
                UPDATE message
                   SET status = 'failed', endpoint = COALESCE(endpoint, :endpoint),
                       metadata = metadata || jsonb_build_object('error', CAST(:reason AS text),
                                                                 'error_type', CAST(:type AS text)),
                       claimed_until = NULL, claim_token = NULL, updated_at = :now, version = version + 1
                 WHERE id = :id AND claim_token = :token AND status = 'pending'""")
                .setParameter("endpoint", provider)
                .setParameter("reason", reason)
                .setParameter("type", errorType)
                .setParameter("now", now)
                .setParameter("id", claim.replyId())
                .setParameter("token", claim.token())
                .executeUpdate();
        settled(claim, updated, now);
        return updated == 1;
    }

    /** Gives claims back (on shutdown) so that another instance takes them at once. */
    public int release(Collection<Claim> claims) {
        int released = 0;
        for (Claim claim : claims) {
            released += em.createNativeQuery("""
                    UPDATE message
                       SET claimed_until = NULL, claim_token = NULL, reply_attempts = reply_attempts - 1
                     WHERE id = :id AND claim_token = :token AND status = 'pending'""")
                    .setParameter("id", claim.replyId())
                    .setParameter("token", claim.token())
                    .executeUpdate();
        }
        return released;
    }

    /** The reply as stored now, read in a transaction of its own (for a chat that waits on it). */
    public Message find(UUID replyId) {
        return em.find(Message.class, replyId);
    }

    public long pendingCount() {
        return ((Number) em.createNativeQuery("SELECT count(*) FROM message WHERE status = 'pending'")
                .getSingleResult()).longValue();
    }

    /**
     * Adds the next piece of the reply's text for its watchers, if this claim still holds the reply.
     *
     * @param endOffset the reply's length (UTF-16 units) with this piece
     * @return false when the claim no longer holds the reply
     */
    public boolean addChunk(Claim claim, int endOffset, String content) {
        return em.createNativeQuery("""
                INSERT INTO reply_chunk (user_id, reply_id, end_offset, conversation_id, content)
                SELECT m.user_id, m.id, :end, m.conversation_id, :content FROM message m
                 WHERE m.id = :id AND m.user_id = :owner AND m.claim_token = :token AND m.status = 'pending'
                ON CONFLICT DO NOTHING""")
                .setParameter("end", endOffset)
                .setParameter("content", content)
                .setParameter("id", claim.replyId())
                .setParameter("owner", claim.userId())
                .setParameter("token", claim.token())
                .executeUpdate() == 1;
    }

    private void dropChunks(Claim claim) {
        em.createNativeQuery("DELETE FROM reply_chunk WHERE user_id = :owner AND reply_id = :id")
                .setParameter("owner", claim.userId())
                .setParameter("id", claim.replyId())
                .executeUpdate();
    }

    /** A piece of a pending reply's text; {@code endOffset} is the reply's length with it. */
    public record Chunk(int endOffset, String content) {
    }

    /**
     * What a watcher of the reply has not seen yet: the pieces after {@code afterOffset} and the
     * reply as stored now (null when it is gone). The owner was checked by the request that
     * started the watch; the reads are keyed by it all the same.
     */
    public record Progress(Message reply, List<Chunk> chunks) {
    }

    public Progress progress(String userId, UUID replyId, int afterOffset) {
        List<?> rows = em.createNativeQuery("""
                SELECT end_offset, content FROM reply_chunk
                 WHERE user_id = :owner AND reply_id = :id AND end_offset > :after
                 ORDER BY end_offset""")
                .setParameter("owner", userId)
                .setParameter("id", replyId)
                .setParameter("after", afterOffset)
                .getResultList();
        List<Chunk> chunks = new ArrayList<>(rows.size());
        for (Object r : rows) {
            Object[] row = (Object[]) r;
            chunks.add(new Chunk(((Number) row[0]).intValue(), (String) row[1]));
        }
        // Hibernate keeps the load to the owner the caller runs as (OwnerFilter).
        return new Progress(find(replyId), chunks);
    }

    /** A stored outcome: the reply's pieces go (its text is stored whole) and its conversation moves. */
    private void settled(Claim claim, int updated, Instant now) {
        if (updated == 1) {
            dropChunks(claim);
            em.createNativeQuery("UPDATE conversation SET updated_at = :now, version = version + 1"
                    + " WHERE id = :cid AND updated_at < :now")
                    .setParameter("now", now)
                    .setParameter("cid", claim.conversationId())
                    .executeUpdate();
        }
    }

    private static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
    }

    private String toJson(List<Map<String, Object>> toolCalls) {
        try {
            return json.writeValueAsString(toolCalls == null ? List.of() : toolCalls);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Tool calls cannot be written as JSON", e);
        }
    }
}
