package dev.parley.assistant;

import dev.parley.message.ReplyRequested;
import dev.parley.security.DatabaseIdentity;
import dev.parley.security.DatabaseIdentity.Job;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Generates pending replies in the background, {@code concurrency} at a time. Workers pull work
 * from the database: an idle worker claims the oldest reply nobody holds (new, handed back, or
 * left by a dead instance) and generates it, so an instance never claims more than it can run now
 * and the rest wait in the database, where any replica can take them. A new reply wakes one idle
 * worker; a worker that found work wakes another; the sweep wakes one in case a wake-up was lost.
 */
@ApplicationScoped
public class ReplyWorker {

    private static final Logger LOG = Logger.getLogger(ReplyWorker.class);

    @Inject
    ReplyStore store;

    @Inject
    ReplyGenerator generator;

    @Inject
    ReplyLeases leases;

    @Inject
    AssistantConfig config;

    @Inject
    MeterRegistry registry;

    private final AtomicLong pending = new AtomicLong();
    private volatile Semaphore idle;
    private volatile ExecutorService executor;
    private volatile boolean stopping;

    private ExecutorService executor() {
        ExecutorService current = executor;
        if (current == null) {
            synchronized (this) {
                if (executor == null) {
                    AtomicInteger n = new AtomicInteger();
                    idle = new Semaphore(config.concurrency());
                    // As many threads as permits: a task is only submitted with a permit, so it never queues.
                    executor = Executors.newFixedThreadPool(config.concurrency(), r -> {
                        Thread thread = new Thread(r, "parley-reply-" + n.incrementAndGet());
                        thread.setDaemon(true);
                        return thread;
                    });
                    Gauge.builder("parley.replies.pending", pending, AtomicLong::get)
                            .description("Assistant replies pending in the database, as of the last sweep")
                            .register(registry);
                }
                current = executor;
            }
        }
        return current;
    }

    /** After the transaction that stored a pending reply commits, an idle worker goes to get it. */
    void onReplyRequested(@Observes(during = TransactionPhase.AFTER_SUCCESS) ReplyRequested event) {
        wake();
    }

    @Scheduled(identity = "reply-sweep", every = "${parley.assistant.sweep-every}", delay = 2,
            delayUnit = TimeUnit.SECONDS, concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        if (stopping) {
            return;
        }
        wake();
        try {
            pending.set(DatabaseIdentity.asSystem(Job.REPLIES, () -> QuarkusTransaction.requiringNew().call(store::pendingCount)));
        } catch (RuntimeException e) {
            LOG.debugf("Pending replies not counted: %s", e.getMessage());
        }
    }

    /** Starts one idle worker, if there is one; it claims work only once it runs. */
    private void wake() {
        ExecutorService pool = executor();
        if (stopping || !idle.tryAcquire()) {
            return;
        }
        try {
            pool.execute(this::pull);
        } catch (RejectedExecutionException e) {
            idle.release();
        }
    }

    /** One worker: claims and generates replies one by one until none is left to take. */
    private void pull() {
        try {
            while (!stopping) {
                List<ReplyStore.Claim> claims;
                try {
                    claims = DatabaseIdentity.asSystem(Job.REPLIES,
                            () -> QuarkusTransaction.requiringNew().call(() -> store.claimNext(config.claimLease(), 1)));
                } catch (RuntimeException e) {
                    // The database is away: the replies wait in their rows for the next sweep.
                    LOG.warnf("Reply workers paused: %s", e.getMessage());
                    return;
                }
                if (claims.isEmpty()) {
                    return;
                }
                ReplyStore.Claim claim = claims.get(0);
                if (claim.attempts() > 1) {
                    LOG.infof("Taking over reply %s (attempt %d)", claim.replyId(), claim.attempts());
                }
                // There may be more: let another idle worker look while this one generates.
                wake();
                generator.generate(claim);
            }
        } finally {
            idle.release();
        }
    }

    /**
     * Generates a reply claimed by a streamed chat at once, on a thread of its own rather than the
     * request's: the client only watches it, so a client that goes away never stops it.
     */
    public void generateNow(ReplyStore.Claim claim) {
        Thread.ofVirtual().name("parley-chat-reply-" + claim.replyId()).start(() -> generator.generate(claim));
    }

    /**
     * On shutdown, every reply this instance holds (worker or chat) is handed back so that another
     * instance takes it now, then the workers are stopped.
     */
    void onShutdown(@Observes ShutdownEvent event) {
        stopping = true;
        leases.releaseAll();
        ExecutorService pool = executor;
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
