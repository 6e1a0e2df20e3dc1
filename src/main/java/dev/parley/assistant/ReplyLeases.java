package dev.parley.assistant;

import dev.parley.security.DatabaseIdentity;
import dev.parley.security.DatabaseIdentity.Job;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The replies this instance is generating, on worker threads or chat request threads alike, and
 * the heartbeat that keeps their leases alive. A lease is short so that a dead instance's replies
 * are taken over soon; the heartbeat renews it for as long as the generation runs, so a slow but
 * live generation is never taken over.
 */
@ApplicationScoped
public class ReplyLeases {

    private static final Logger LOG = Logger.getLogger(ReplyLeases.class);

    /** A claim being worked on, and when its lease was last known to be renewed. */
    private static final class Held {
        final ReplyStore.Claim claim;
        volatile long renewedAtNanos;
        volatile boolean lost;

        Held(ReplyStore.Claim claim) {
            this.claim = claim;
            this.renewedAtNanos = System.nanoTime();
        }
    }

    @Inject
    ReplyStore store;

    @Inject
    AssistantConfig config;

    @Inject
    MeterRegistry registry;

    private final Map<UUID, Held> held = new ConcurrentHashMap<>();
    private volatile boolean released;

    @PostConstruct
    void gauges() {
        Gauge.builder("parley.replies.in_flight", held, Map::size)
                .description("Assistant replies this instance is generating now")
                .register(registry);
    }

    /** From now on the heartbeat keeps this claim's lease alive. */
    void hold(ReplyStore.Claim claim) {
        Held entry = new Held(claim);
        // Handed back already (shutdown): never start on it.
        entry.lost = released;
        held.put(claim.replyId(), entry);
    }

    void drop(ReplyStore.Claim claim) {
        held.remove(claim.replyId());
    }

    /** True once the heartbeat found the claim taken over, or the instance handed it back. */
    boolean lost(ReplyStore.Claim claim) {
        Held entry = held.get(claim.replyId());
        return entry == null || entry.lost || released;
    }

    /** System.nanoTime() at which the lease runs out, counted from its last known renewal. */
    long expiresAtNanos(ReplyStore.Claim claim) {
        Held entry = held.get(claim.replyId());
        long renewed = entry == null ? System.nanoTime() : entry.renewedAtNanos;
        return renewed + config.claimLease().toNanos();
    }

    void renewed(ReplyStore.Claim claim, long atNanos) {
        Held entry = held.get(claim.replyId());
        if (entry != null) {
            entry.renewedAtNanos = atNanos;
        }
    }

    int size() {
        return held.size();
    }

    @Scheduled(identity = "reply-heartbeat", every = "${parley.assistant.heartbeat-every}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void heartbeat() {
        List<Held> current = List.copyOf(held.values());
        if (current.isEmpty() || released) {
            return;
        }
        // Counted from before the statement: the database's lease is at least this fresh.
        long now = System.nanoTime();
        Set<UUID> kept;
        try {
            kept = DatabaseIdentity.asSystem(Job.REPLIES, () -> QuarkusTransaction.requiringNew().call(() -> store.renew(
                    current.stream().map(h -> h.claim).toList(), config.claimLease())));
        } catch (RuntimeException e) {
            // The database is away; the leases run on, and the next beat tries again.
            LOG.warnf("Reply heartbeat failed: %s", e.getMessage());
            return;
        }
        for (Held entry : current) {
            if (kept.contains(entry.claim.replyId())) {
                entry.renewedAtNanos = now;
            } else if (!entry.lost) {
                entry.lost = true;
                LOG.infof("Reply %s is no longer held by this instance", entry.claim.replyId());
            }
        }
    }

    /**
     * On shutdown: every reply this instance holds goes back to the database unclaimed, so that
     * another instance takes it at once instead of waiting for the lease to run out. Generations
     * still running here can no longer store anything.
     */
    void releaseAll() {
        released = true;
        List<ReplyStore.Claim> claims = held.values().stream().map(h -> h.claim).toList();
        if (claims.isEmpty()) {
            return;
        }
        try {
            int count = DatabaseIdentity.asSystem(Job.REPLIES,
                    () -> QuarkusTransaction.requiringNew().call(() -> store.release(claims)));
            LOG.infof("Handed back %d replies in progress for other instances", count);
        } catch (RuntimeException e) {
            LOG.warnf("Could not hand back replies in progress; their leases run out: %s", e.toString());
        }
    }
}
