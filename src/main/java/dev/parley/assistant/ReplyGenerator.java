package dev.parley.assistant;

import dev.parley.events.StreamsConfig;
import dev.parley.message.Message;
import dev.parley.message.MessageStatus;
import dev.parley.security.DatabaseIdentity;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.jboss.logging.Logger;

/**
 * Generates one claimed reply: the only code that calls the model for a reply and stores the
 * outcome, whether a background worker or a chat request runs it. It holds no transaction or
 * connection while the model works; the heartbeat keeps the claim's lease alive meanwhile.
 */
@ApplicationScoped
public class ReplyGenerator {

    private static final Logger LOG = Logger.getLogger(ReplyGenerator.class);
    private static final Duration FIRST_STORE_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_STORE_BACKOFF = Duration.ofSeconds(5);
    private static final Duration AWAIT_POLL = Duration.ofMillis(200);

    @Inject
    ReplyStore store;

    @Inject
    ReplyLeases leases;

    @Inject
    Assistant assistant;

    @Inject
    AssistantConfig config;

    @Inject
    ReplyMetrics metrics;

    @Inject
    StreamsConfig streams;

    /** Writes the text waiting in a reply's chunks when no new token comes to write it. */
    private final ScheduledExecutorService chunkTimer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "parley-reply-chunks");
        thread.setDaemon(true);
        return thread;
    });

    @PreDestroy
    void stopTimer() {
        chunkTimer.shutdownNow();
    }

    /**
     * Runs the claimed reply to its end: complete with the model's answer, failed with the reason,
     * or handed over when this claim no longer holds it. The text is written as it comes for the
     * reply's watchers (reply streams, the change feed), on whichever replica they are.
     */
    public ReplyOutcome generate(ReplyStore.Claim claim) {
        return generate(claim, ReplyListener.NONE);
    }

    /** {@link #generate(ReplyStore.Claim)}, also handing each piece of text to {@code listener} as it comes. */
    public ReplyOutcome generate(ReplyStore.Claim claim, ReplyListener listener) {
        long start = System.nanoTime();
        leases.hold(claim);
        try {
            if (claim.attempts() > config.maxAttempts()) {
                String reason = "The reply was abandoned " + (claim.attempts() - 1) + " times";
                return fail(claim, start, reason, "abandoned");
            }
            // The claim is checked again right before the model is called: a claim that waited,
            // or was handed back meanwhile, must not make a second model call for the same reply.
            List<Turn> history = leases.lost(claim) ? null : asReplies(claim, () -> QuarkusTransaction.requiringNew()
                    .call(() -> store.begin(claim, config.claimLease(), config.historyWindow())));
            if (history == null) {
                metrics.record(start, "superseded");
                return ReplyOutcome.handedOver(claim.replyId());
            }
            leases.renewed(claim, start);
            Reply reply;
            ReplyChunks chunks = new ReplyChunks(claim, store, streams.flushEvery(), chunkTimer);
            try {
                reply = assistant.stream(history, delta -> {
                    chunks.onDelta(delta);
                    listener.onDelta(delta);
                });
                chunks.finish();
            } catch (RuntimeException e) {
                chunks.close();
                if (leases.lost(claim)) {
                    // Cut short by the shutdown or a takeover, not by the model: not a failed reply.
                    metrics.record(start, "superseded");
                    return ReplyOutcome.handedOver(claim.replyId());
                }
                LOG.warnf("Reply %s failed: %s", claim.replyId(), e.toString());
                return fail(claim, start, describe(e), e.getClass().getSimpleName());
            }
            Boolean stored = storeWithinLease(claim,
                    () -> store.complete(claim, reply, assistant.provider(), assistant.model()));
            if (Boolean.TRUE.equals(stored)) {
                metrics.record(start, "complete");
                return ReplyOutcome.complete(claim.replyId(), reply);
            }
            metrics.record(start, "superseded");
            return ReplyOutcome.handedOver(claim.replyId());
        } catch (RuntimeException e) {
            // The database failed before the model was called: the claim runs out and another takes it.
            LOG.warnf("Reply %s left for another attempt: %s", claim.replyId(), e.toString());
            metrics.record(start, "superseded");
            return ReplyOutcome.handedOver(claim.replyId());
        } finally {
            leases.drop(claim);
        }
    }

    private ReplyOutcome fail(ReplyStore.Claim claim, long start, String reason, String type) {
        Boolean stored = storeWithinLease(claim, () -> store.fail(claim, reason, type, assistant.provider()));
        metrics.record(start, Boolean.TRUE.equals(stored) ? "failed" : "superseded");
        return Boolean.TRUE.equals(stored) ? ReplyOutcome.failed(claim.replyId(), reason)
                : ReplyOutcome.handedOver(claim.replyId());
    }

    /**
     * Stores an outcome, retrying database errors with backoff for as long as the lease lasts: an
     * answer the model already gave is not thrown away because PostgreSQL blinked. The statement is
     * conditional on the claim, so a retry after a takeover stores nothing.
     *
     * @return whether this claim stored it; null when the database stayed away for the whole lease
     *         (the reply stays pending and is taken over once the lease has run out)
     */
    private Boolean storeWithinLease(ReplyStore.Claim claim, Callable<Boolean> statement) {
        Duration backoff = FIRST_STORE_BACKOFF;
        while (true) {
            try {
                return asReplies(claim, () -> QuarkusTransaction.requiringNew().call(statement));
            } catch (RuntimeException e) {
                if (leases.lost(claim) || System.nanoTime() + backoff.toNanos() > leases.expiresAtNanos(claim)) {
                    LOG.warnf("Reply %s could not be stored within its lease: %s", claim.replyId(), e.toString());
                    return null;
                }
                metrics.storeRetried();
                LOG.debugf("Storing reply %s failed, retrying in %d ms: %s", claim.replyId(), backoff.toMillis(),
                        e.toString());
                try {
                    Thread.sleep(backoff.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return null;
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_STORE_BACKOFF) > 0 ? MAX_STORE_BACKOFF
                        : backoff.multipliedBy(2);
            }
        }
    }

    /**
     * Waits until the reply is complete or failed, whoever generates it, for at most {@code limit}.
     *
     * @return the stored reply, or null when it is still pending (or the database away) at the end
     */
    public Message await(UUID replyId, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            try {
                Message reply = QuarkusTransaction.requiringNew().call(() -> store.find(replyId));
                if (reply == null || reply.status != MessageStatus.PENDING) {
                    return reply;
                }
            } catch (RuntimeException e) {
                LOG.debugf("Reply %s not readable yet: %s", replyId, e.toString());
            }
            if (System.nanoTime() > deadline) {
                return null;
            }
            try {
                Thread.sleep(AWAIT_POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }

    /**
     * The work on one claimed reply (its history, its outcome, its conversation) runs as the reply's
     * owner: that needs the owner's complete messages, which the replies job itself never sees, and
     * nothing of any other user. On a chat's request thread the connection is already set to that user.
     */
    private static <T> T asReplies(ReplyStore.Claim claim, Supplier<T> work) {
        return DatabaseIdentity.asUser(claim.userId(), work);
    }

    /** A short reason for the failed reply's metadata: no stack trace, no secrets from URLs. */
    static String describe(Throwable e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            message = e.getClass().getSimpleName();
        }
        return message.length() > 500 ? message.substring(0, 500) + "…" : message;
    }
}
