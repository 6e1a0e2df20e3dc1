package dev.parley.assistant;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;

/**
 * parley.reply.latency: how long replies take, by provider and outcome (complete, failed,
 * superseded); parley.reply.store.retries: stores of a generated reply retried after a database error.
 */
@ApplicationScoped
public class ReplyMetrics {

    @Inject
    MeterRegistry registry;

    @Inject
    Assistant assistant;

    public void record(long startNanos, String outcome) {
        Timer.builder("parley.reply.latency")
                .description("Time to generate an assistant reply")
                .tag("provider", assistant.provider())
                .tag("outcome", outcome)
                .publishPercentileHistogram()
                .register(registry)
                .record(Duration.ofNanos(System.nanoTime() - startNanos));
    }

    public void storeRetried() {
        registry.counter("parley.reply.store.retries").increment();
    }
}
