package dev.parley.assistant;

import dev.parley.message.ReplyRequested;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Generates pending assistant replies off the request thread. A reply is claimed in the database
 * before it is generated, so any instance can take it and no two instances generate it twice; a
 * sweep on every instance takes over replies whose claim ran out (their instance died) and fails
 * those that used up their attempts, so nothing stays pending forever.
 */
@ApplicationScoped
public class ReplyWorker {

    private static final Logger LOG = Logger.getLogger(ReplyWorker.class);
    private static final Duration SWEEP_GRACE = Duration.ofSeconds(5);
    private static final int SWEEP_BATCH = 50;

    @Inject
    ReplyStore store;

    @Inject
    Assistant assistant;

    @Inject
    AssistantConfig config;

    @Inject
    MeterRegistry registry;

    @Inject
    ReplyMetrics metrics;

    private final Set<ReplyStore.Claim> inFlight = ConcurrentHashMap.newKeySet();
    private final AtomicLong pending = new AtomicLong();
    private volatile ThreadPoolExecutor executor;
    private volatile boolean stopping;

    private ThreadPoolExecutor executor() {
        ThreadPoolExecutor current = executor;
        if (current == null) {
            synchronized (this) {
                if (executor == null) {
                    AtomicInteger n = new AtomicInteger();
                    executor = new ThreadPoolExecutor(config.concurrency(), config.concurrency(), 60, TimeUnit.SECONDS,
                            new ArrayBlockingQueue<>(10_000), r -> {
                                Thread thread = new Thread(r, "parley-reply-" + n.incrementAndGet());
                                thread.setDaemon(true);
                                return thread;
                            });
                    Gauge.builder("parley.replies.pending", pending, AtomicLong::get)
                            .description("Assistant replies pending in the database, as of the last sweep")
                            .register(registry);
                    Gauge.builder("parley.replies.in_flight", inFlight, Set::size)
                            .description("Assistant replies this instance is generating now")
                            .register(registry);
                }
                current = executor;
            }
        }
        return current;
    }

    /** After the transaction that stored a pending reply commits, generate it. */
    void onReplyRequested(@Observes(during = TransactionPhase.AFTER_SUCCESS) ReplyRequested event) {
        try {
            executor().execute(() -> {
                ReplyStore.Claim claim = QuarkusTransaction.requiringNew()
                        .call(() -> store.claim(event.replyId(), config.claimLease()));
                if (claim != null) {
                    generate(claim);
                }
            });
        } catch (RejectedExecutionException e) {
            // Saturated or shutting down: the reply stays pending and a sweep takes it.
            LOG.debugf("Reply %s left for the sweep: %s", event.replyId(), e.getMessage());
        }
    }

    @Scheduled(identity = "reply-sweep", every = "${parley.assistant.sweep-every}", delay = 2,
            delayUnit = TimeUnit.SECONDS, concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        ThreadPoolExecutor pool = executor();
        if (stopping || pool.isShutdown()) {
            return;
        }
        int room = Math.min(SWEEP_BATCH, pool.getQueue().remainingCapacity());
        List<ReplyStore.Claim> claims;
        try {
            claims = QuarkusTransaction.requiringNew()
                    .call(() -> store.claimAbandoned(config.claimLease(), SWEEP_GRACE, room));
        } catch (RuntimeException e) {
            // The database is away; the next sweep tries again. Replies wait in their rows.
            LOG.warnf("Reply sweep skipped: %s", e.getMessage());
            return;
        }
        for (ReplyStore.Claim claim : claims) {
            LOG.infof("Taking over reply %s (attempt %d)", claim.replyId(), claim.attempts());
            try {
                pool.execute(() -> generate(claim));
            } catch (RejectedExecutionException e) {
                QuarkusTransaction.requiringNew().run(() -> store.release(List.of(claim)));
            }
        }
        pending.set(QuarkusTransaction.requiringNew().call(store::pendingCount));
    }

    void generate(ReplyStore.Claim claim) {
        if (claim.attempts() > config.maxAttempts()) {
            QuarkusTransaction.requiringNew().run(() -> store.fail(claim,
                    "The reply was abandoned " + (claim.attempts() - 1) + " times", "abandoned",
                    assistant.provider()));
            metrics.record(System.nanoTime(), "failed");
            return;
        }
        inFlight.add(claim);
        long start = System.nanoTime();
        try {
            List<Turn> history = QuarkusTransaction.requiringNew()
                    .call(() -> store.history(claim, config.historyWindow()));
            Reply reply = assistant.reply(history);
            boolean stored = QuarkusTransaction.requiringNew()
                    .call(() -> store.complete(claim, reply, assistant.provider(), assistant.model()));
            metrics.record(start, stored ? "complete" : "superseded");
        } catch (RuntimeException e) {
            LOG.warnf("Reply %s failed: %s", claim.replyId(), e.toString());
            QuarkusTransaction.requiringNew().run(() -> store.fail(claim, describe(e), e.getClass().getSimpleName(),
                    assistant.provider()));
            metrics.record(start, "failed");
        } finally {
            inFlight.remove(claim);
        }
    }

    /** On shutdown, replies not yet generated are given back so that another instance takes them now. */
    void onShutdown(@Observes ShutdownEvent event) {
        stopping = true;
        ThreadPoolExecutor pool = executor;
        if (pool == null) {
            return;
        }
        pool.shutdown();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!inFlight.isEmpty()) {
            try {
                int released = QuarkusTransaction.requiringNew().call(() -> store.release(Set.copyOf(inFlight)));
                LOG.infof("Released %d in-flight replies for other instances", released);
            } catch (RuntimeException e) {
                LOG.warnf("Could not release in-flight replies; their claims expire: %s", e.toString());
            }
        }
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
