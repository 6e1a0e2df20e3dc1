package dev.parley.events;

import dev.parley.error.ProblemException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the open event streams of this instance, per user and in all: each holds a connection
 * and some memory for as long as the client wants, so both are bounded (parley.streams.max-*).
 * A client over either bound gets 429; a load balancer may send its retry to another replica.
 */
@ApplicationScoped
public class StreamLimits {

    static final String RETRY_AFTER_SECONDS = "5";

    @Inject
    StreamsConfig config;

    @Inject
    MeterRegistry registry;

    private final Map<String, AtomicInteger> perUser = new ConcurrentHashMap<>();
    private final AtomicInteger total = new AtomicInteger();
    private volatile boolean refusing;

    @PostConstruct
    void gauge() {
        Gauge.builder("parley.streams.open", total, AtomicInteger::get)
                .description("Event streams (change feed and reply streams) open on this instance")
                .register(registry);
    }

    /** The instance is stopping: new streams are refused (503), so clients open them on another replica. */
    void refuseNew() {
        refusing = true;
    }

    /** A place for one more stream of this user, or 429 when the user or the instance is at its bound. */
    public Permit acquire(String userId) {
        if (refusing) {
            throw new ProblemException(503, "This instance is shutting down; open the stream again.", null,
                    Map.of("Retry-After", "1"));
        }
        if (total.incrementAndGet() > config.maxPerInstance()) {
            total.decrementAndGet();
            throw tooMany("This instance holds as many event streams as it may (" + config.maxPerInstance()
                    + "); retry later.");
        }
        AtomicInteger mine = perUser.computeIfAbsent(userId, k -> new AtomicInteger());
        if (mine.incrementAndGet() > config.maxPerUser()) {
            release(userId, mine);
            throw tooMany("You have " + config.maxPerUser() + " event streams open, the most allowed; close one first.");
        }
        return new Permit(userId, mine);
    }

    private void release(String userId, AtomicInteger mine) {
        total.decrementAndGet();
        if (mine.decrementAndGet() <= 0) {
            perUser.remove(userId, mine);
            // A permit taken meanwhile on the removed counter is still released on it; a new one
            // starts a fresh counter. Counts may be off by one for an instant, never leak.
        }
    }

    private static ProblemException tooMany(String detail) {
        return new ProblemException(429, detail, null, Map.of("Retry-After", RETRY_AFTER_SECONDS));
    }

    /** One open stream; closing it (more than once is fine) frees its place. */
    public final class Permit implements AutoCloseable {
        private final String userId;
        private final AtomicInteger counter;
        private final AtomicBoolean released = new AtomicBoolean();

        private Permit(String userId, AtomicInteger counter) {
            this.userId = userId;
            this.counter = counter;
        }

        @Override
        public void close() {
            if (released.compareAndSet(false, true)) {
                release(userId, counter);
            }
        }
    }
}
