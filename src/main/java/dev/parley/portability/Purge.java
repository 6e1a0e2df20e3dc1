package dev.parley.portability;

import dev.parley.conversation.Conversation;
import dev.parley.security.DatabaseIdentity;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Deletes expired temporary conversations and, when parley.retention.max-age is set, conversations
 * inactive for longer, on every replica, a bounded batch per transaction (see {@link Conversation#purgeExpired}),
 * as the purge job's database identity (it may delete conversations of every user, and read no message).
 * Counted in parley_purged_conversations_total and parley_purged_messages_total, tagged by reason.
 */
@ApplicationScoped
public class Purge {

    private static final Logger LOG = Logger.getLogger(Purge.class);

    @Inject
    MeterRegistry metrics;

    @ConfigProperty(name = "parley.purge.batch-size", defaultValue = "500")
    int batchSize;

    @ConfigProperty(name = "parley.purge.max-batches-per-run", defaultValue = "100")
    int maxBatches;

    @ConfigProperty(name = "parley.retention.max-age")
    Optional<Duration> retention;

    /** What one run deleted. */
    public record Purged(long conversations, long messages) {
    }

    @Scheduled(identity = "conversation-purge", every = "${parley.purge.every:1m}", delay = 30,
            delayUnit = java.util.concurrent.TimeUnit.SECONDS,
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        Instant now = Instant.now();
        expired(now);
        retention.ifPresent(maxAge -> inactive(now.minus(maxAge)));
    }

    /** Deletes the conversations that expired at or before {@code now}. */
    public Purged expired(Instant now) {
        return drain(batch -> Conversation.purgeExpired(now, batch), "expired");
    }

    /** Deletes the conversations with no activity since {@code cutoff}. */
    public Purged inactive(Instant cutoff) {
        return drain(batch -> Conversation.purgeInactive(cutoff, batch), "retention");
    }

    /**
     * Runs {@code purge} (one batch of at most the given size, answering the deleted conversations'
     * message counts) until a batch comes back short, at most parley.purge.max-batches-per-run times.
     */
    private Purged drain(IntFunction<List<Integer>> purge, String reason) {
        long conversations = 0;
        long messages = 0;
        for (int batch = 0; batch < maxBatches; batch++) {
            List<Integer> deleted = DatabaseIdentity.asSystem(DatabaseIdentity.Job.PURGE,
                    () -> QuarkusTransaction.requiringNew().call(() -> purge.apply(batchSize)));
            long batchMessages = deleted.stream().mapToLong(Integer::longValue).sum();
            conversations += deleted.size();
            messages += batchMessages;
            metrics.counter("parley.purged.conversations", "reason", reason).increment(deleted.size());
            metrics.counter("parley.purged.messages", "reason", reason).increment(batchMessages);
            if (deleted.size() < batchSize) {
                break;
            }
        }
        if (conversations > 0) {
            LOG.infof("Purged %d %s conversation(s) with %d message(s)", conversations, reason, messages);
        }
        return new Purged(conversations, messages);
    }
}
