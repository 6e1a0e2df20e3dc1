package dev.parley.portability;

/**
 * The SQL of the purges, in one place. They run outside any request, over every user's rows, as the
 * purge job ({@link dev.parley.security.DatabaseIdentity.Job#PURGE}), whose row-level security
 * policies (V21) let it choose, lock and delete conversations, and nothing else.
 *
 * <p>Each statement deletes one bounded batch and returns the deleted conversations' message counts
 * (their messages go by ON DELETE CASCADE). FOR UPDATE SKIP LOCKED lets every replica run the same
 * purge at once: each takes rows no other replica holds, so none waits and none deletes twice.
 */
final class PurgeStatements {

    /** Temporary conversations whose expires_at has passed. Parameters: at, batch. */
    static final String EXPIRED = """
            DELETE FROM conversation
             WHERE id IN (SELECT id FROM conversation
                           WHERE expires_at <= :at
                           ORDER BY expires_at
                           LIMIT :batch
                             FOR UPDATE SKIP LOCKED)
            RETURNING message_count""";

    /**
     * Conversations with no activity (updated_at moves with every change and message) since the
     * cutoff. No index serves it (see V17): the scan stops as soon as it has a batch.
     */
    static final String INACTIVE = """
            DELETE FROM conversation
             WHERE id IN (SELECT id FROM conversation
                           WHERE updated_at < :at
                           LIMIT :batch
                             FOR UPDATE SKIP LOCKED)
            RETURNING message_count""";

    private PurgeStatements() {
    }
}
