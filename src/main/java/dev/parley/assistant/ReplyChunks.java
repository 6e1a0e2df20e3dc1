package dev.parley.assistant;

import dev.parley.security.DatabaseIdentity;
import io.quarkus.narayana.jta.QuarkusTransaction;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Writes the text of a reply being generated to reply_chunk, where watchers on every replica read
 * it. Tokens are collected for parley.streams.flush-every and written together: one small
 * transaction per interval, not one per token. The first piece is written at once, and a piece
 * that waits is written by a timer, so a slow model's text never sits unseen.
 */
final class ReplyChunks implements ReplyListener {

    private static final Logger LOG = Logger.getLogger(ReplyChunks.class);

    private final ReplyStore.Claim claim;
    private final ReplyStore store;
    private final long flushEveryNanos;
    private final ScheduledExecutorService timer;
    private final StringBuilder waiting = new StringBuilder();
    private int written;
    private long lastFlushNanos;
    private boolean flushScheduled;
    private boolean closed;

    ReplyChunks(ReplyStore.Claim claim, ReplyStore store, Duration flushEvery, ScheduledExecutorService timer) {
        this.claim = claim;
        this.store = store;
        this.flushEveryNanos = flushEvery.toNanos();
        this.timer = timer;
        this.lastFlushNanos = System.nanoTime() - flushEveryNanos;
    }

    @Override
    public synchronized void onDelta(String delta) {
        if (closed) {
            return;
        }
        waiting.append(delta);
        long due = lastFlushNanos + flushEveryNanos - System.nanoTime();
        if (due <= 0) {
            flush();
        } else if (!flushScheduled) {
            flushScheduled = true;
            timer.schedule(this::scheduledFlush, due, TimeUnit.NANOSECONDS);
        }
    }

    private synchronized void scheduledFlush() {
        flushScheduled = false;
        if (!closed) {
            flush();
        }
    }

    /** Writes what is left, so that the feed's deltas add up to the reply, and stops. */
    synchronized void finish() {
        if (!closed) {
            flush();
        }
        closed = true;
    }

    /** Stops without writing: the reply failed or was lost. */
    synchronized void close() {
        closed = true;
    }

    private void flush() {
        lastFlushNanos = System.nanoTime();
        if (waiting.isEmpty()) {
            return;
        }
        String text = waiting.toString();
        try {
            // Written from the model's thread or the flush timer: as the reply's owner.
            boolean held = DatabaseIdentity.asUser(claim.userId(), () -> QuarkusTransaction.requiringNew()
                    .call(() -> store.addChunk(claim, written + text.length(), text)));
            if (!held) {
                // Taken over or handed back: this attempt's text is no longer the reply's.
                closed = true;
                return;
            }
            written += text.length();
            waiting.setLength(0);
        } catch (RuntimeException e) {
            // Watchers see this text later (next flush) or with the stored reply; generation goes on.
            LOG.debugf("Reply %s text not written yet: %s", claim.replyId(), e.toString());
        }
    }
}
