package dev.parley.assistant;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.common.Ids;
import dev.parley.conversation.Conversation;
import dev.parley.message.Message;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The storage of the reply lifecycle: claims, leases, history, the text of a reply in progress
 * (reply_chunk, this package's table), and the final store. The statements on the reply and its
 * conversation are their entities' ({@link Message}, {@link Conversation}). Background work (the workers, the heartbeat, the sweep)
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
        return Message.claimReply(replyId, token, lease).map(claimed -> claim(claimed, token)).orElse(null);
    }

    /**
     * Claims up to {@code limit} replies that nobody holds, oldest first: new ones, ones handed back
     * on shutdown, and ones whose lease ran out because their instance died. Callers ask for no
     * more than they can start now, so a claim never waits in a queue while its lease runs out.
     */
    public List<Claim> claimNext(Duration lease, int limit) {
        UUID token = UUID.randomUUID();
        return Message.claimPendingReplies(token, lease, limit).stream().map(claimed -> claim(claimed, token)).toList();
    }

    private static Claim claim(Message.ReplyClaim claimed, UUID token) {
        return new Claim(claimed.id(), claimed.conversationId(), claimed.userId(), claimed.createdAt(),
                claimed.attempts(), token);
    }

    /**
     * The heartbeat: extends the lease of every reply this instance still holds, in one statement.
     *
     * @return the ids of the replies still held; a reply missing here was lost
     */
    public Set<UUID> renew(Collection<Claim> claims, Duration lease) {
        if (claims.isEmpty()) {
            return Set.of();
        }
        List<UUID> tokens = claims.stream().map(Claim::token).distinct().toList();
        List<UUID> ids = claims.stream().map(Claim::replyId).toList();
        return Message.renewClaims(ids, tokens, lease);
    }

    /**
     * The last check before the model is called: renews the lease if this claim still holds the
     * reply and reads the history the model will see.
     *
     * @return the history, or null when the claim was lost (taken over or handed back)
     */
    public List<Turn> begin(Claim claim, Duration lease, int window) {
        if (!Message.renewClaim(claim.replyId(), claim.token(), lease)) {
            return null;
        }
        // Text left by an earlier attempt that died: this attempt starts the reply again.
        dropChunks(claim);
        return history(claim, window);
    }

    /**
     * What the model sees for the reply: the path above it (the message it answers and that
     * message's ancestors), trimmed to the token budget by {@link ContextWindow}.
     */
    List<Turn> history(Claim claim, int window) {
        // The walk starts at the reply itself, which is still pending (the claim was just renewed on
        // that condition) and so is no complete message of the window: one statement, where reading
        // the reply's parent first was two.
        return window(claim.userId(), claim.conversationId(), claim.replyId(), window).turns();
    }

    /**
     * The context window of a reply to {@code start}: the complete messages from {@code start} up
     * to the root, newest first, at most {@code window} of them (read with the first step of the
     * walk that goes beyond, to tell whether there were more), then trimmed to the token budget.
     */
    public ContextWindow.Window window(String owner, UUID conversationId, UUID start, int window) {
        List<Message.PathStep> newestFirst = new ArrayList<>(
                Message.completePathUp(owner, conversationId, start, window + 1));
        newestFirst.sort(Comparator.comparingInt(Message.PathStep::depth));
        boolean more = newestFirst.size() > window;
        List<ContextWindow.Candidate> candidates = newestFirst.subList(0, Math.min(window, newestFirst.size()))
                .stream().map(step -> new ContextWindow.Candidate(step.id(), step.role(), step.content())).toList();
        return context.fit(candidates, more);
    }

    /**
     * Where the next reply's context starts, for GET …/context: at the current leaf, or, when the
     * leaf is a reply still being generated, at the message it answers (that reply's own context).
     */
    public UUID nextContextStart(String owner, UUID leaf) {
        return Message.contextStart(owner, leaf).orElse(null);
    }

    /** Stores the reply if this claim still holds it; false when another worker took it over. */
    public boolean complete(Claim claim, Reply reply, String provider, String model) {
        Instant now = Ids.now();
        boolean stored = Message.completeReply(claim.replyId(), claim.token(), reply.content(),
                toJson(reply.toolCalls()), provider, model, now);
        settled(claim, stored, now);
        return stored;
    }

    /** Marks the reply failed, keeping the reason in its metadata; the user's message is untouched. */
    public boolean fail(Claim claim, String reason, String errorType, String provider) {
        Instant now = Ids.now();
        boolean stored = Message.failReply(claim.replyId(), claim.token(), reason, errorType, provider, now);
        settled(claim, stored, now);
        return stored;
    }

    /** Gives claims back (on shutdown) so that another instance takes them at once. */
    public int release(Collection<Claim> claims) {
        int released = 0;
        for (Claim claim : claims) {
            if (Message.releaseClaim(claim.replyId(), claim.token())) {
                released++;
            }
        }
        return released;
    }

    /** The reply as stored now, read in a transaction of its own (for a chat that waits on it). */
    public Message find(UUID replyId) {
        return em.find(Message.class, replyId);
    }

    public long pendingCount() {
        return Message.countPending();
    }

    /**
     * Adds the next piece of the reply's text for its watchers, if this claim still holds the reply.
     *
     * @param endOffset the reply's length (UTF-16 units) with this piece
     * @return false when the claim no longer holds the reply
     */
    public boolean addChunk(Claim claim, int endOffset, String content) {
        // The piece names the claim that wrote it, and the database takes it only while that claim
        // holds the pending reply (reply_chunk_from_its_claim, V40): a worker that lost the reply
        // cannot mix its text into the new holder's, and no extra statement reads the reply first.
        return em.createNativeQuery("""
                INSERT INTO reply_chunk (user_id, reply_id, end_offset, conversation_id, claim_token, content)
                VALUES (:owner, :id, :end, :cid, :token, :content)
                ON CONFLICT DO NOTHING""")
                .setParameter("owner", claim.userId())
                .setParameter("id", claim.replyId())
                .setParameter("end", endOffset)
                .setParameter("cid", claim.conversationId())
                .setParameter("token", claim.token())
                .setParameter("content", content)
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
        // Hibernate keeps the load to the owner the caller runs as (OwnerRestriction).
        return new Progress(find(replyId), chunks);
    }

    /** A stored outcome: the reply's pieces go (its text is stored whole) and its conversation moves. */
    private void settled(Claim claim, boolean stored, Instant now) {
        if (stored) {
            dropChunks(claim);
            Conversation.advanceActivity(claim.conversationId(), now);
        }
    }

    private String toJson(List<Map<String, Object>> toolCalls) {
        try {
            return json.writeValueAsString(toolCalls == null ? List.of() : toolCalls);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Tool calls cannot be written as JSON", e);
        }
    }
}
