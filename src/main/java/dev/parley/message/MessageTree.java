package dev.parley.message;

import dev.parley.common.Ids;
import dev.parley.conversation.Conversation;
import dev.parley.conversation.ConversationService;
import dev.parley.security.OwnerSql;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The SQL that walks a conversation's message tree, for the caller (every statement is restricted
 * by :owner). Walks up follow parent_id through the primary key, one row per step; walks down
 * follow message_parent_idx. Each walk stops after {@link #MAX_DEPTH} steps, so even a damaged
 * row could not make one run forever (parents are never younger than their children, so a loop
 * cannot be written through the API).
 */
@ApplicationScoped
public class MessageTree {

    /** Far beyond any real conversation; only a guard. */
    static final int MAX_DEPTH = 1_000_000;

    /** The chain from :leaf up to its root, with each message's distance from the leaf. */
    public static final String ANCESTORS = """
            WITH RECURSIVE path(id, parent_id, created_at, role, depth) AS (
                SELECT m.id, m.parent_id, m.created_at, m.role, 0 FROM message m
                 WHERE m.id = :leaf AND m.conversation_id = :cid AND m.user_id = :owner
              UNION ALL
                SELECT m.id, m.parent_id, m.created_at, m.role, p.depth + 1
                  FROM path p JOIN message m ON m.id = p.parent_id
                 WHERE m.user_id = :owner AND p.depth < %d
            )
            """.formatted(MAX_DEPTH);

    /** :root and every message below it. */
    static final String SUBTREE = """
            WITH RECURSIVE sub(id, created_at, depth) AS (
                SELECT m.id, m.created_at, 0 FROM message m
                 WHERE m.id = :root AND m.conversation_id = :cid AND m.user_id = :owner %s
              UNION ALL
                SELECT m.id, m.created_at, s.depth + 1
                  FROM sub s JOIN message m ON m.parent_id = s.id
                 WHERE m.user_id = :owner AND s.depth < %d
            )
            """;

    /** What a delete removed, and the conversation's newest message left (both null: none left). */
    public record Removal(int count, UUID newestLeft, Instant newestLeftAt) {
    }

    @Inject
    OwnerSql owned;

    /**
     * The siblings of each family named by a preceding CTE {@code families(conversation_id, parent_id)}
     * (a family: the messages sharing a parent; for roots, a conversation's roots): each sibling's id,
     * how many siblings come before it (by created_at, then id) and how many there are. Each family
     * is read on its own through message_parent_idx, or message_root_idx for roots, and once
     * (MATERIALIZED: inlined, the planner read a family again for every row joined to it). Not one
     * window over all the families' rows: a generic plan of that, which cannot tell a user of
     * 200 000 messages from one of 100, read every message of the user through message_search_idx
     * to find them (23 ms for a page at the end of bench/run's long conversation, against 0.5 ms).
     */
    static final String SIBLINGS = """
            siblings AS MATERIALIZED (
                SELECT s.id, s.before, s.count
                  FROM families f
                 CROSS JOIN LATERAL (
                       SELECT s.id, row_number() OVER (ORDER BY s.created_at, s.id) - 1 AS before,
                              count(*) OVER () AS count
                         FROM message s
                        WHERE s.user_id = :owner
                          AND (s.parent_id = f.parent_id
                               OR (f.parent_id IS NULL AND s.parent_id IS NULL AND s.conversation_id = f.conversation_id))
                       ) s)
            """;

    /**
     * Where each of the caller's messages {@code ids} stands among its siblings (the messages sharing
     * its parent; for a root, the conversation's other roots), oldest first.
     */
    public Map<UUID, SiblingPosition> positions(Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return Map.of();
        }
        List<?> rows = owned.query("""
                WITH families AS (
                    SELECT DISTINCT m.conversation_id, m.parent_id
                      FROM message m WHERE m.id = ANY(:ids) AND m.user_id = :owner),
                """ + SIBLINGS + """
                SELECT id, before, count FROM siblings WHERE id = ANY(:ids)""",
                Map.of("ids", Ids.array(ids))).getResultList();
        Map<UUID, SiblingPosition> positions = new HashMap<>();
        for (Object r : rows) {
            Object[] row = (Object[]) r;
            positions.put((UUID) row[0], new SiblingPosition(((Number) row[1]).intValue(),
                    ((Number) row[2]).intValue()));
        }
        return positions;
    }

    /**
     * {@link #positions} worked out from the rows alone, for rows that are every message of their
     * conversation (a whole conversation on one page): the siblings of each are then among them, so
     * no statement is needed. Ordered as PostgreSQL orders them: by creation time, then by id
     * compared as unsigned bytes (uuid order), not by {@link UUID#compareTo}, which compares signed.
     */
    public static Map<UUID, SiblingPosition> positionsInWhole(Collection<Message> wholeConversation) {
        Map<UUID, List<Message>> byParent = new HashMap<>();
        for (Message m : wholeConversation) {
            // Roots are siblings of each other: the conversation's id stands in for their parent.
            byParent.computeIfAbsent(m.parentId == null ? m.conversationId : m.parentId, p -> new ArrayList<>()).add(m);
        }
        Map<UUID, SiblingPosition> positions = new HashMap<>();
        for (List<Message> siblings : byParent.values()) {
            siblings.sort(Comparator.comparing((Message m) -> m.createdAt).thenComparing(m -> m.id, MessageTree::uuidOrder));
            for (int i = 0; i < siblings.size(); i++) {
                positions.put(siblings.get(i).id, new SiblingPosition(i, siblings.size()));
            }
        }
        return positions;
    }

    /** PostgreSQL's order of uuid values: their 16 bytes compared unsigned. */
    static int uuidOrder(UUID a, UUID b) {
        int high = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
        return high != 0 ? high : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
    }

    /** Whether {@code target} lies on the chain from {@code leaf} to the root. */
    public boolean isAncestorOrSelf(UUID cid, UUID target, UUID leaf) {
        return ((Number) owned.query(ANCESTORS + "SELECT count(*) FROM path WHERE id = :target",
                Map.of("cid", cid, "leaf", leaf, "target", target)).getSingleResult()).longValue() > 0;
    }

    /**
     * The most recent leaf at or below {@code root}: the newest message of the subtree that has no
     * children (the newest one is a leaf anyway unless two messages share a microsecond).
     */
    public UUID newestLeafUnder(UUID cid, UUID root) {
        List<?> rows = owned.query(SUBTREE.formatted("", MAX_DEPTH) + """
                SELECT s.id FROM sub s
                 WHERE NOT EXISTS (SELECT 1 FROM message c WHERE c.parent_id = s.id AND c.user_id = :owner)
                 ORDER BY s.created_at DESC, s.id DESC LIMIT 1""", Map.of("cid", cid, "root", root)).getResultList();
        return rows.isEmpty() ? null : (UUID) rows.get(0);
    }

    /**
     * The conversation's current leaf (404 if the conversation is not the caller's); null while it
     * has no messages.
     */
    public UUID currentLeaf(UUID cid) {
        Conversation.Tip tip = Conversation.tip(cid).orElseThrow(() -> ConversationService.notFound(cid));
        return leafOrNewest(cid, tip.currentLeafId(), tip.messageCount());
    }

    /**
     * The stored leaf, or for a conversation whose leaf was never set (imported without one) its
     * newest message, which is always a leaf: a message is never older than its parent.
     */
    UUID leafOrNewest(UUID cid, UUID storedLeaf, int messageCount) {
        if (storedLeaf != null || messageCount == 0) {
            return storedLeaf;
        }
        List<?> rows = owned.query("""
                SELECT m.id FROM message m WHERE m.conversation_id = :cid AND m.user_id = :owner
                 ORDER BY m.created_at DESC, m.id DESC LIMIT 1""", Map.of("cid", cid)).getResultList();
        return rows.isEmpty() ? null : (UUID) rows.get(0);
    }

    /**
     * Deletes the message and everything below it, in one statement, if the message still has
     * {@code version}. The same statement finds the newest message left: run after the
     * conversation's lock (every writer of messages takes it), it sees every message committed
     * before, and it leaves out the rows it deletes, which its snapshot still shows.
     *
     * @return how many messages were deleted (0 when the message changed meanwhile) and what is left
     */
    public Removal deleteSubtree(UUID cid, UUID root, long version) {
        Object[] row = (Object[]) owned.query(SUBTREE.formatted("AND m.version = :version", MAX_DEPTH) + """
                , gone AS (DELETE FROM message d USING sub WHERE d.id = sub.id AND d.user_id = :owner RETURNING d.id)
                SELECT (SELECT count(*) FROM gone), newest.id, newest.created_at
                  FROM (SELECT 1) one
                  LEFT JOIN LATERAL (
                      SELECT m.id, m.created_at FROM message m
                       WHERE m.conversation_id = :cid AND m.user_id = :owner
                         AND NOT EXISTS (SELECT 1 FROM gone g WHERE g.id = m.id)
                       ORDER BY m.created_at DESC, m.id DESC LIMIT 1) newest ON true""",
                Map.of("cid", cid, "root", root, "version", version)).getSingleResult();
        return new Removal(((Number) row[0]).intValue(), (UUID) row[1], row[2] == null ? null : Ids.instant(row[2]));
    }

    /**
     * Of {@code messageIds}, those on an active path that ends at one of {@code leaves} (the current
     * leaves of their conversations, which the caller read from them), for messages of several
     * conversations at once (a page of search results).
     */
    public Set<UUID> onActivePaths(Collection<UUID> leaves, Collection<UUID> messageIds) {
        if (messageIds.isEmpty() || leaves.isEmpty()) {
            return Set.of();
        }
        List<?> rows = owned.query("""
                WITH RECURSIVE path(id, parent_id, depth) AS (
                    SELECT m.id, m.parent_id, 0 FROM message m WHERE m.id = ANY(:leaves) AND m.user_id = :owner
                  UNION ALL
                    SELECT m.id, m.parent_id, p.depth + 1 FROM path p JOIN message m ON m.id = p.parent_id
                     WHERE m.user_id = :owner AND p.depth < :max
                )
                SELECT id FROM path WHERE id = ANY(:ids)""",
                Map.of("leaves", Ids.array(leaves), "ids", Ids.array(messageIds), "max", MAX_DEPTH))
                .getResultList();
        Set<UUID> on = new HashSet<>();
        rows.forEach(id -> on.add((UUID) id));
        return on;
    }
}
