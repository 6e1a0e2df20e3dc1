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
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
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
 *
 * <p>Writers notify only users that some instance watches (a NOTIFY serialises commits across the
 * whole database): while a user has subscribers here, this instance keeps a {@code feed_watch} row
 * of the user, written before the user's events are first read, refreshed every heartbeat and
 * deleted with the user's last subscriber. A writer that checked for watchers just before the row
 * committed sends nothing, and may commit after that first read; so the instance reads the user's
 * events once more as soon as every transaction that was running when the row committed has ended.
 */
@ApplicationScoped
public class ChangeFeed {

    private static final Logger LOG = Logger.getLogger(ChangeFeed.class);
    /** How long after its transaction began an event may still commit and be delivered live. */
    private static final Duration LOOKBACK = Duration.ofSeconds(30);
    private static final int BATCH = 1000;
    private static final int POLL_MILLIS = 500;
    /** How often waiting watch snapshots are looked at, however busy the notifications keep the listener. */
    private static final long SETTLE_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** A watch row lives at least this long past its last refresh: a stalled heartbeat must not end it. */
    private static final Duration MIN_WATCH = Duration.ofSeconds(30);

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
            boolean[] last = {false};
            channels.computeIfPresent(userId, (k, channel) -> {
                channel.subscribers.remove(subscriber);
                last[0] = channel.subscribers.isEmpty();
                return last[0] ? null : channel;
            });
            if (last[0] && !stopping) {
                // Off the caller's thread (often a heartbeat or a request): a slow database delays nobody.
                Thread.ofVirtual().name("parley-feed-unwatch").start(() -> unwatch(userId));
            }
        }
    }

    /** One user's subscribers here, and what has been delivered to them. */
    private static final class Channel {
        final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
        /** Events with a higher id are new; -1 until the channel knows where the user stands. */
        long cursor = -1;
        /** Ids delivered within the lookback, so that an event read twice is delivered once. */
        final Map<Long, Long> recent = new LinkedHashMap<>();
        /**
         * The snapshot taken when the watch row was (re)written, until its running transactions
         * have ended and the events they may have committed unnotified were read; else null.
         */
        volatile Settling settling;
    }

    private record Settling(String snapshot, long sinceNanos) {
    }

    @Inject
    SystemEvents system;

    @Inject
    StreamsConfig config;

    @Inject
    StreamLimits limits;

    private final Map<String, Channel> channels = new ConcurrentHashMap<>();
    /** Names this instance's watch rows. */
    private final UUID instance = UUID.randomUUID();
    /** Orders the watch-row writes of one user: a row written for a new subscriber is never deleted for an old one. */
    private final ReentrantLock[] watchLocks = new ReentrantLock[64];
    private volatile boolean stopping;
    private volatile Thread listener;

    {
        for (int i = 0; i < watchLocks.length; i++) {
            watchLocks[i] = new ReentrantLock();
        }
    }

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
     * delivered. When the database is away the channel stays unstarted (unwatched, so it hears no
     * notification) and the next heartbeat tries again, rather than replaying the user's whole history.
     */
    private void start(String userId, Channel channel) {
        try {
            // Watched first, then read: a write either sees the row and notifies, or is older than it.
            watch(userId, channel);
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

    /** (Re)writes the user's watch row; the events of writers that may have missed it are read once they end. */
    private void watch(String userId, Channel channel) throws SQLException {
        ReentrantLock lock = watchLock(userId);
        lock.lock();
        try {
            // Its last subscriber left meanwhile: a row written now would outlive it.
            if (channels.get(userId) != channel) {
                return;
            }
            channel.settling = new Settling(system.watch(userId, instance, watchTtl()), System.nanoTime());
        } finally {
            lock.unlock();
        }
    }

    /** Deletes the user's watch row, unless a new subscriber of the user arrived meanwhile. */
    private void unwatch(String userId) {
        ReentrantLock lock = watchLock(userId);
        lock.lock();
        try {
            if (!channels.containsKey(userId)) {
                system.unwatch(userId, instance);
            }
        } catch (SQLException | RuntimeException e) {
            LOG.debugf("Watch row of a user left to expire: %s", e.toString());
        } finally {
            lock.unlock();
        }
    }

    /** Keeps the user's watch row alive, or writes it again when writers may have stopped seeing it. */
    private void refresh(String userId, Channel channel) {
        try {
            synchronized (channel) {
                if (channel.cursor < 0) {
                    // Its start failed (the database was away): it gets no notification until it is watched.
                    start(userId, channel);
                    return;
                }
            }
            boolean kept;
            ReentrantLock lock = watchLock(userId);
            lock.lock();
            try {
                if (channels.get(userId) != channel) {
                    return;
                }
                kept = system.refresh(userId, instance, watchTtl());
            } finally {
                lock.unlock();
            }
            if (!kept) {
                LOG.debugf("Watch row of a user was gone: writing it again and catching up");
                synchronized (channel) {
                    watch(userId, channel);
                }
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("Change feed could not refresh a watch: %s", e.getMessage());
        }
    }

    private ReentrantLock watchLock(String userId) {
        return watchLocks[Math.floorMod(userId.hashCode(), watchLocks.length)];
    }

    /** A few heartbeats: the row outlives a late heartbeat, and an instance that died stops counting soon. */
    private Duration watchTtl() {
        Duration ttl = config.heartbeatEvery().multipliedBy(4);
        return ttl.compareTo(MIN_WATCH) < 0 ? MIN_WATCH : ttl;
    }

    /**
     * Reads again the users whose watch snapshot has settled: a write that checked for watchers
     * before the row committed has now committed (or rolled back), and is delivered like a late
     * commit. Usually within one poll of the watch.
     */
    private void settle(Connection listening) throws SQLException {
        Map<String, Settling> pending = new LinkedHashMap<>();
        channels.forEach((userId, channel) -> {
            Settling settling = channel.settling;
            if (settling != null) {
                pending.put(userId, settling);
            }
        });
        if (pending.isEmpty()) {
            return;
        }
        Set<String> snapshots = new HashSet<>();
        pending.values().forEach(settling -> snapshots.add(settling.snapshot()));
        Set<String> settled = SystemEvents.settled(listening, snapshots);
        long now = System.nanoTime();
        pending.forEach((userId, settling) -> {
            Channel channel = channels.get(userId);
            // A transaction running longer than the lookback is past what live delivery promises anyway.
            if (channel != null && (settled.contains(settling.snapshot())
                    || now - settling.sinceNanos() > LOOKBACK.toNanos())) {
                deliver(userId, channel);
                synchronized (channel) {
                    if (channel.settling == settling) {
                        channel.settling = null;
                    }
                }
            }
        });
    }

    private void listen() {
        while (!stopping) {
            try (Connection connection = system.listen()) {
                PGConnection pg = connection.unwrap(PGConnection.class);
                LOG.debug("Change feed listening");
                // Anything committed while no connection listened.
                deliver(Set.copyOf(channels.keySet()));
                long settledAt = System.nanoTime() - SETTLE_EVERY_NANOS;
                while (!stopping) {
                    PGNotification[] notifications = pg.getNotifications(POLL_MILLIS);
                    if (notifications != null && notifications.length > 0) {
                        Set<String> users = new TreeSet<>();
                        for (PGNotification n : notifications) {
                            users.add(n.getParameter());
                        }
                        deliver(users);
                    }
                    if (System.nanoTime() - settledAt >= SETTLE_EVERY_NANOS) {
                        settle(connection);
                        settledAt = System.nanoTime();
                    }
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
        channels.forEach(this::refresh);
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
        try {
            int expired = system.trimWatches();
            if (expired > 0) {
                LOG.debugf("Deleted %d expired watch rows", expired);
            }
        } catch (SQLException e) {
            LOG.warnf("Expired watch rows not deleted: %s", e.getMessage());
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
