package dev.parley.assistant;

import java.util.UUID;

/**
 * How one generation of a reply ended, as seen by the thread that ran it.
 *
 * @param reply the stored answer when complete, else null
 * @param error the reason stored in the reply's metadata when failed, else null
 */
public record ReplyOutcome(UUID replyId, Status status, Reply reply, String error) {

    public enum Status {
        /** Stored as complete with {@link #reply()}. */
        COMPLETE,
        /** Stored as failed: the model failed, or the reply used up its attempts. */
        FAILED,
        /**
         * This thread no longer holds the reply (taken over, handed back on shutdown, or not stored
         * within the lease): another claim finishes it, and the row says how it ends.
         */
        HANDED_OVER
    }

    static ReplyOutcome complete(UUID replyId, Reply reply) {
        return new ReplyOutcome(replyId, Status.COMPLETE, reply, null);
    }

    static ReplyOutcome failed(UUID replyId, String error) {
        return new ReplyOutcome(replyId, Status.FAILED, null, error);
    }

    static ReplyOutcome handedOver(UUID replyId) {
        return new ReplyOutcome(replyId, Status.HANDED_OVER, null, null);
    }
}
