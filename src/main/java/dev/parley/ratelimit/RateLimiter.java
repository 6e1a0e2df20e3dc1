package dev.parley.ratelimit;

import dev.parley.error.ProblemException;
import io.agroal.api.AgroalDataSource;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Per-user rate limits shared by all replicas (SPEC §7): token buckets kept in PostgreSQL by
 * Bucket4j, refilled continuously over a minute. A limit of 0 turns that kind off entirely (no
 * database round trip).
 */
@ApplicationScoped
public class RateLimiter {

    public static final String PROBE_KEY = "parley.rate-limit";

    /** What a request spends: writes, or replies (chat round trips and reply-generating messages). */
    public enum Kind {
        WRITES,
        CHAT
    }

    /** The outcome shown in RateLimit-* headers. */
    public record Probe(long limit, long remaining, long resetSeconds) {
    }

    @ConfigProperty(name = "parley.rate-limit.writes-per-minute", defaultValue = "600")
    long writesPerMinute;

    @ConfigProperty(name = "parley.rate-limit.chat-per-minute", defaultValue = "60")
    long chatPerMinute;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    CurrentVertxRequest request;

    private volatile PostgreSQLSelectForUpdateBasedProxyManager<String> buckets;

    private PostgreSQLSelectForUpdateBasedProxyManager<String> buckets() {
        PostgreSQLSelectForUpdateBasedProxyManager<String> current = buckets;
        if (current == null) {
            synchronized (this) {
                if (buckets == null) {
                    buckets = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
                            .primaryKeyMapper(PrimaryKeyMapper.STRING)
                            .table("rate_limit_bucket")
                            .expirationAfterWrite(
                                    ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10)))
                            .build();
                }
                current = buckets;
            }
        }
        return current;
    }

    public long limit(Kind kind) {
        return kind == Kind.WRITES ? writesPerMinute : chatPerMinute;
    }

    /**
     * Spends one token of the user's budget, or throws 429 with Retry-After and RateLimit-* headers.
     * Bucket4j commits its own transaction on its own connection, so any transaction of the caller
     * is suspended meanwhile (a connection enlisted in JTA cannot commit on its own).
     */
    public void consume(Kind kind, String userId) {
        long limit = limit(kind);
        if (limit <= 0) {
            return;
        }
        ConsumptionProbe probe = QuarkusTransaction.suspendingExisting().call(() -> buckets()
                .getProxy(bucketId(kind, userId), () -> configuration(limit))
                .tryConsumeAndReturnRemaining(1));
        long resetSeconds = seconds(probe.getNanosToWaitForReset());
        Probe shown = new Probe(limit, probe.getRemainingTokens(), resetSeconds);
        if (request.getCurrent() != null) {
            request.getCurrent().put(PROBE_KEY, shown);
        }
        if (!probe.isConsumed()) {
            long retryAfter = Math.max(1, seconds(probe.getNanosToWaitForRefill()));
            throw new ProblemException(429, "Too many " + (kind == Kind.WRITES ? "writes" : "chat requests")
                    + "; the limit is " + limit + " per minute. Retry after " + retryAfter + " s.", null,
                    Map.of("Retry-After", String.valueOf(retryAfter),
                            "RateLimit-Limit", String.valueOf(limit),
                            "RateLimit-Remaining", "0",
                            "RateLimit-Reset", String.valueOf(retryAfter)));
        }
    }

    /** The rate_limit_bucket row of a user's budget (the table has no user_id column of its own). */
    public static String bucketId(Kind kind, String userId) {
        return kind.name().toLowerCase() + ":" + userId;
    }

    private static BucketConfiguration configuration(long perMinute) {
        return BucketConfiguration.builder()
                .addLimit(Bandwidth.builder().capacity(perMinute).refillGreedy(perMinute, Duration.ofMinutes(1)).build())
                .build();
    }

    private static long seconds(long nanos) {
        return (nanos + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1);
    }

    /** Idle buckets are full again once expired; their rows go. */
    @Scheduled(identity = "rate-limit-expiry", every = "5m", delay = 1, delayUnit = TimeUnit.MINUTES)
    void removeExpired() {
        if (writesPerMinute > 0 || chatPerMinute > 0) {
            buckets().removeExpired(1000);
        }
    }
}
