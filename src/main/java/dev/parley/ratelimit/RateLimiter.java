package dev.parley.ratelimit;

import dev.parley.security.ApiKeyPrincipal;
import dev.parley.security.ApiKeyScope;
import dev.parley.error.ProblemException;
import dev.parley.security.DatabaseIdentity;
import dev.parley.security.CurrentUser;
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
 * Bucket4j, refilled continuously over a minute; plus an optional budget per API key. A limit of 0 turns that kind off entirely (no
 * database round trip).
 */
@ApplicationScoped
public class RateLimiter {

    public static final String PROBE_KEY = "parley.rate-limit";

    /** What a request spends: writes, replies (chat round trips and reply-generating messages), or reads. */
    public enum Kind {
        WRITES,
        CHAT,
        READS
    }

    /** The outcome shown in RateLimit-* headers. */
    public record Probe(long limit, long remaining, long resetSeconds) {
    }

    @ConfigProperty(name = "parley.rate-limit.writes-per-minute", defaultValue = "600")
    long writesPerMinute;

    @ConfigProperty(name = "parley.rate-limit.chat-per-minute", defaultValue = "60")
    long chatPerMinute;

    @ConfigProperty(name = "parley.rate-limit.reads-per-minute", defaultValue = "3000")
    long readsPerMinute;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    CurrentVertxRequest request;

    @Inject
    CurrentUser user;

    /** parley.api-keys.requests-per-minute, read here so that rate limits need nothing of the key feature. */
    @ConfigProperty(name = "parley.api-keys.requests-per-minute", defaultValue = "0")
    long keyRequestsPerMinute;

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
        return switch (kind) {
            case WRITES -> writesPerMinute;
            case CHAT -> chatPerMinute;
            case READS -> readsPerMinute;
        };
    }

    /**
     * Spends one token of the user's budget, or throws 429 with Retry-After and RateLimit-* headers.
     * Bucket4j commits its own transaction on its own connection, so this must be called with no
     * transaction open: a request that held a connection while waiting for this one could starve
     * the pool (as many such requests as connections, each waiting for a second one). Calling it
     * inside a transaction is a programming error and fails at once.
     */
    public void consume(Kind kind, String userId) {
        if (kind == Kind.CHAT && request.getCurrent() != null) {
            // Spending the chat budget is what makes a request a chat request, however it got here
            // (the chat endpoints, or a message that makes the assistant reply): a key needs the scope.
            user.requireScope(ApiKeyScope.CHAT);
        }
        spend(userId, bucketId(kind, userId), limit(kind), switch (kind) {
            case WRITES -> "writes";
            case CHAT -> "chat requests";
            case READS -> "reads";
        });
    }

    /** The optional budget of one API key (parley.api-keys.requests-per-minute), on top of its owner's. */
    public void consumeForKey(ApiKeyPrincipal key) {
        if (key != null) {
            spend(key.userId(), "key-" + key.keyId() + ":" + key.userId(), keyRequestsPerMinute,
                    "requests with this API key");
        }
    }

    /**
     * The bucket's row belongs to {@code owner}: its id ends in ":" and the owner's id, which the
     * table's generated user_id column takes as the owner for row-level security (V20).
     */
    private void spend(String owner, String bucket, long limit, String what) {
        if (limit <= 0) {
            return;
        }
        if (QuarkusTransaction.isActive()) {
            throw new IllegalStateException("Rate limits must be spent before the request's transaction opens");
        }
        ConsumptionProbe probe = DatabaseIdentity.asUser(owner, () -> buckets()
                .getProxy(bucket, () -> configuration(limit))
                .tryConsumeAndReturnRemaining(1));
        long resetSeconds = seconds(probe.getNanosToWaitForReset());
        Probe shown = new Probe(limit, probe.getRemainingTokens(), resetSeconds);
        if (request.getCurrent() != null) {
            request.getCurrent().put(PROBE_KEY, shown);
        }
        if (!probe.isConsumed()) {
            long retryAfter = Math.max(1, seconds(probe.getNanosToWaitForRefill()));
            throw new ProblemException(429, "Too many " + what
                    + "; the limit is " + limit + " per minute. Retry after " + retryAfter + " s.", null,
                    Map.of("Retry-After", String.valueOf(retryAfter),
                            "RateLimit-Limit", String.valueOf(limit),
                            "RateLimit-Remaining", "0",
                            "RateLimit-Reset", String.valueOf(retryAfter)));
        }
    }

    /** The rate_limit_bucket row of a user's budget. */
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

    /** Idle buckets are full again once expired; their rows go, deleted by the purge job. */
    @Scheduled(identity = "rate-limit-expiry", every = "5m", delay = 1, delayUnit = TimeUnit.MINUTES)
    void removeExpired() {
        if (writesPerMinute > 0 || chatPerMinute > 0 || readsPerMinute > 0 || keyRequestsPerMinute > 0) {
            DatabaseIdentity.asSystem(DatabaseIdentity.Job.PURGE, () -> buckets().removeExpired(1000));
        }
    }
}
