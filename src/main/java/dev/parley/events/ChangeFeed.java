package dev.parley.events;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Fans change events out to this instance's subscribers. Writers on any replica add events in
 * their transaction, and PostgreSQL notifies every instance at commit; each instance holds ONE
 * listening connection (not one per client), reads the notified user's new events once, and
 * hands them to that user's subscribers here: feed clients and reply streams. A user's events
 * are read only when this instance has a subscriber of that user, and only ever reach that
 * user's subscribers.
 */
@ApplicationScoped
public class ChangeFeed {

    private static final Logger LOG = Logger.getLogger(ChangeFeed.class);
    /** How long after its transaction began an event may still commit and be delivered live. */
    private static final Duration LOOKBACK = Duration.ofSeconds(30);
    private static final int BATCH = 1000;
    private static final int POLL_MILLIS = 500;

    /** Hears one user's events on this instance. */
    public interface Subscriber {

        /** The next event, in commit order. Called on the listening thread: must not block. */
        void onEvent(ChangeEvent event);

        /** Called every parley.streams.heartbeat-every; false when the subscriber is gone and should be dropped. */
        default boolean onHeartbeat(long nowNanos) {
            return true;
        }

        /** The instance is stopping: end cleanly, telling the client when to reconnect. */
        default void onShutdown() {
        }
    }

    /** A subscriber's place in the feed; closing it (more than once is fine) stops delivery. */
    public final class Subscription implements AutoCloseable {
        private final String userId;
        private final Subscriber subscriber;

        private Subscription(String userId, Subscriber subscriber) {
            this.userId = userId;
            this.subscriber = subscriber;
        }

        @Override
        public void close() {
            channels.computeIfPresent(userId, (k, channel) -> {
                channel.subscribers.remove(subscriber);
                return channel.subscribers.isEmpty() ? null : channel;
            });
        }
    }

    /** One user's subscribers here, and what has been delivered to them. */
    private static final class Channel {
        final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
        /** Events with a higher id are new; -1 until the channel knows where the user stands. */
        long cursor = -1;
        /** Ids delivered within the lookback, so that an event read twice is delivered once. */
        final Map<Long, Long> recent = new LinkedHashMap<>();
    }

    @Inject
    SystemEvents system;

    @Inject
    StreamsConfig config;

    @Inject
    StreamLimits limits;

    private final Map<String, Channel> channels = new ConcurrentHashMap<>();
    private volatile boolean stopping;
    private volatile Thread listener;

    void onStart(@Observes StartupEvent event) {
        Thread thread = new Thread(this::listen, "parley-change-feed");
        thread.setDaemon(true);
        listener = thread;
        thread.start();
    }

    /**
     * Delivers the user's events committed from now on to {@code subscriber}. Blocks briefly to
     * learn where the user's events stand when it is the user's first subscriber here.
     */
    public Subscription subscribe(String userId, Subscriber subscriber) {
        Channel channel = channels.compute(userId, (k, existing) -> {
            Channel c = existing == null ? new Channel() : existing;
            c.subscribers.add(subscriber);
            return c;
        });
        synchronized (channel) {
            if (channel.cursor < 0) {
                start(userId, channel);
            }
        }
        return new Subscription(userId, subscriber);
    }

    /**
     * Learns where the user's events stand, so that only events committed from now on are
     * delivered. When the database is away the channel stays unstarted and the listening thread
     * tries again on the user's next notification (rather than replaying the user's whole history).
     */
    private void start(String userId, Channel channel) {
        try {
            // Events of the lookback are history to the subscribers: mark them delivered.
            long now = System.nanoTime();
            for (ChangeEvent e : system.recent(userId, LOOKBACK, BATCH)) {
                channel.recent.put(e.id(), now);
            }
            channel.cursor = system.latestId(userId);
        } catch (SQLException e) {
            LOG.warnf("Change feed could not read where user events stand: %s", e.getMessage());
        }
    }

    private void listen() {
        while (!stopping) {
            try (Connection connection = system.listen()) {
                PGConnection pg = connection.unwrap(PGConnection.class);
                LOG.debug("Change feed listening");
                // Anything committed while no connection listened.
                deliver(Set.copyOf(channels.keySet()));
                while (!stopping) {
                    PGNotification[] notifications = pg.getNotifications(POLL_MILLIS);
                    if (notifications == null || notifications.length == 0) {
                        continue;
                    }
                    Set<String> users = new TreeSet<>();
                    for (PGNotification n : notifications) {
                        users.add(n.getParameter());
                    }
                    deliver(users);
                }
            } catch (SQLException | RuntimeException e) {
                if (stopping) {
                    return;
                }
                LOG.warnf("Change feed listening connection lost, reconnecting: %s", e.getMessage());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    private void deliver(Set<String> users) {
        for (String userId : users) {
            Channel channel = channels.get(userId);
            if (channel != null) {
                deliver(userId, channel);
            }
        }
    }

    private void deliver(String userId, Channel channel) {
        synchronized (channel) {
            if (channel.cursor < 0) {
                start(userId, channel);
                return;
            }
            List<ChangeEvent> events;
            List<ChangeEvent> fresh;
            try {
                // Late commits first (their ids are lower), then what is new.
                events = new ArrayList<>(system.recent(userId, LOOKBACK, BATCH));
                events.removeIf(e -> e.id() > channel.cursor);
                fresh = system.after(userId, channel.cursor, BATCH);
                events.addAll(fresh);
            } catch (SQLException e) {
                LOG.warnf("Change feed could not read events: %s", e.getMessage());
                return;
            }
            long now = System.nanoTime();
            for (ChangeEvent event : events) {
                if (channel.recent.putIfAbsent(event.id(), now) != null) {
                    continue;
                }
                channel.cursor = Math.max(channel.cursor, event.id());
                for (Subscriber subscriber : channel.subscribers) {
                    try {
                        subscriber.onEvent(event);
                    } catch (RuntimeException e) {
                        LOG.debugf("A subscriber failed on an event: %s", e.toString());
                    }
                }
            }
            long expired = now - LOOKBACK.multipliedBy(2).toNanos();
            for (Iterator<Long> at = channel.recent.values().iterator(); at.hasNext();) {
                if (at.next() < expired) {
                    at.remove();
                } else {
                    break;
                }
            }
            if (fresh.size() == BATCH) {
                // More than one batch waiting: read on rather than wait for another notification.
                deliver(userId, channel);
            }
        }
    }

    @Scheduled(identity = "stream-heartbeat", every = "${parley.streams.heartbeat-every}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void heartbeat() {
        long now = System.nanoTime();
        channels.forEach((userId, channel) -> {
            for (Subscriber subscriber : List.copyOf(channel.subscribers)) {
                if (!subscriber.onHeartbeat(now)) {
                    new Subscription(userId, subscriber).close();
                }
            }
        });
    }

    @Scheduled(identity = "change-event-trim", every = "${parley.streams.trim-every}", delay = 10,
            delayUnit = TimeUnit.SECONDS, concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void trim() {
        try {
            int deleted = system.trim(config.eventRetention());
            if (deleted > 0) {
                LOG.debugf("Trimmed %d change events past the retention", deleted);
            }
        } catch (SQLException e) {
            LOG.warnf("Change events not trimmed: %s", e.getMessage());
        }
    }

    /**
     * Streams end as soon as the instance starts to stop, at the start of the shutdown delay (while
     * readiness is already DOWN), so that the graceful shutdown does not wait on them.
     */
    void onShutdownDelay(@Observes ShutdownDelayInitiatedEvent event) {
        endAll();
    }

    void onShutdown(@Observes ShutdownEvent event) {
        endAll();
    }

    /** Every stream ends with a retry hint, so clients reconnect (to another replica) with Last-Event-ID. */
    private void endAll() {
        stopping = true;
        limits.refuseNew();
        List<Subscriber> all = new ArrayList<>();
        channels.values().forEach(channel -> all.addAll(channel.subscribers));
        for (Subscriber subscriber : all) {
            try {
                subscriber.onShutdown();
            } catch (RuntimeException e) {
                LOG.debugf("A subscriber failed to end: %s", e.toString());
            }
        }
        channels.clear();
        Thread thread = listener;
        if (thread != null) {
            thread.interrupt();
        }
    }
}
