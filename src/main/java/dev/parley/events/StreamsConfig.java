package dev.parley.events;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** parley.streams.*: bounds of the long-lived event streams (change feed and reply streams). */
@ConfigMapping(prefix = "parley.streams")
public interface StreamsConfig {

    /** Streams one user may hold open at once on one instance (feed and reply streams together); more get 429. */
    @WithDefault("10")
    int maxPerUser();

    /** Streams one instance holds open at once; more get 429, so the client goes to another replica. */
    @WithDefault("1000")
    int maxPerInstance();

    /** How often an idle stream gets a comment line, so that proxies and clients see it is alive. */
    @WithDefault("15s")
    Duration heartbeatEvery();

    /** A stream is ended (with a retry hint) after this long; the client reconnects with Last-Event-ID. */
    @WithDefault("30m")
    Duration maxDuration();

    /** The reconnection delay sent as the SSE retry field when the server ends a stream. */
    @WithDefault("2s")
    Duration retry();

    /** How long the text of a reply being generated is collected before it is written for watchers. */
    @WithDefault("100ms")
    Duration flushEvery();

    /** How long change events are kept for clients that reconnect with Last-Event-ID. */
    @WithDefault("10m")
    Duration eventRetention();

    /** How often events older than the retention are deleted. */
    @WithDefault("60s")
    String trimEvery();

    /**
     * A reply stream looks at its reply at least this often even without a notification, so a
     * notification lost with a broken listening connection delays it by this much at most.
     */
    @WithDefault("1s")
    Duration replyPoll();
}
