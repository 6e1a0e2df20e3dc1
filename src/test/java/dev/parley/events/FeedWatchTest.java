package dev.parley.events;

import static dev.parley.support.Api.createConversation;
import static dev.parley.support.Api.newUser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.parley.security.DatabaseIdentity;
import dev.parley.support.Db;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Writers notify only the users some instance watches (feed_watch), and a subscriber still gets
 * every event: the watch rows, their wall, their expiry, and the write that checked for watchers
 * just before the row existed.
 */
@QuarkusTest
public class FeedWatchTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    ChangeFeed feed;

    @Inject
    AgroalDataSource dataSource;

    /** A subscriber inside the instance, as the feed and the reply streams are. */
    static final class Collector implements ChangeFeed.Subscriber {
        final BlockingQueue<ChangeEvent> events = new LinkedBlockingQueue<>();

        @Override
        public void onEvent(ChangeEvent event) {
            events.add(event);
        }

        /** Events until one whose data names {@code id}, that one included. */
        List<ChangeEvent> until(String id) throws InterruptedException {
            List<ChangeEvent> seen = new ArrayList<>();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                ChangeEvent event = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (event == null) {
                    fail("no event about " + id + " within " + WAIT + "; got " + seen);
                }
                seen.add(event);
                if (event.data().contains(id)) {
                    return seen;
                }
            }
        }
    }

    /** A plain connection listening on the feed's channel, as any instance's listener does. */
    static final class Listener implements AutoCloseable {
        final Connection connection;
        final List<String> heard = new ArrayList<>();

        Listener() throws SQLException {
            connection = Db.superuser().getConnection();
            try (Statement s = connection.createStatement()) {
                s.execute("LISTEN " + SystemEvents.CHANNEL);
            }
        }

        /**
         * Notifications until one for {@code user}. Notifications reach a listener in commit order,
         * so everything committed before that user's write has been heard by then.
         */
        List<String> until(String user) throws SQLException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            PGConnection pg = connection.unwrap(PGConnection.class);
            while (System.nanoTime() < deadline) {
                PGNotification[] notifications = pg.getNotifications(200);
                if (notifications != null) {
                    for (PGNotification n : notifications) {
                        heard.add(n.getParameter());
                    }
                }
                if (heard.contains(user)) {
                    return heard;
                }
            }
            return fail("no notification for " + user + " within " + WAIT + "; heard " + heard);
        }

        @Override
        public void close() throws SQLException {
            connection.close();
        }
    }

    static List<String> watchers(String user) {
        return Db.asSuperuser(c -> {
            try (PreparedStatement q = c.prepareStatement(
                    "SELECT instance_id::text FROM feed_watch WHERE user_id = ? ORDER BY 1")) {
                q.setString(1, user);
                return strings(q);
            }
        });
    }

    static List<String> strings(PreparedStatement query) throws SQLException {
        List<String> values = new ArrayList<>();
        try (ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                values.add(rows.getString(1));
            }
        }
        return values;
    }

    static void awaitWatchers(String user, int count) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (watchers(user).size() != count) {
            if (System.nanoTime() > deadline) {
                fail(user + " has watch rows " + watchers(user) + ", expected " + count);
            }
            Thread.sleep(50);
        }
    }

    @Test
    void only_watched_users_are_notified_and_the_watch_ends_with_the_last_subscriber() throws Exception {
        String watched = newUser("watched");
        String unwatched = newUser("unwatched");
        Collector collector = new Collector();
        try (Listener listener = new Listener()) {
            ChangeFeed.Subscription subscription = feed.subscribe(watched, collector);
            assertEquals(1, watchers(watched).size());
            assertEquals(List.of(), watchers(unwatched));

            createConversation(unwatched, "nobody looks");
            String seen = createConversation(watched, "looked at");
            List<String> heard = listener.until(watched);
            assertFalse(heard.contains(unwatched), heard::toString);
            // The subscriber still gets the event, live.
            assertEquals("conversation.created", collector.until(seen).get(0).type());

            subscription.close();
            awaitWatchers(watched, 0);
            String marker = newUser("marker");
            Collector markerCollector = new Collector();
            try (ChangeFeed.Subscription markers = feed.subscribe(marker, markerCollector)) {
                createConversation(watched, "no longer looked at");
                createConversation(marker, "after it");
                heard.clear();
                assertFalse(listener.until(marker).contains(watched), heard::toString);
            }
        }
    }

    @Test
    void a_job_writing_for_a_watched_user_notifies_it() throws Exception {
        String alice = newUser("alice");
        String cid = createConversation(alice, "to be purged");
        Collector collector = new Collector();
        try (Listener listener = new Listener(); ChangeFeed.Subscription s = feed.subscribe(alice, collector)) {
            // The purge job deletes as parley.system = 'purge', not as the user: its trigger must still see the watch.
            int deleted = DatabaseIdentity.asSystem(DatabaseIdentity.Job.PURGE,
                    () -> Db.withoutIdentity(dataSource, c -> {
                        try (PreparedStatement d = c.prepareStatement("DELETE FROM conversation WHERE id = ?::uuid")) {
                            d.setString(1, cid);
                            return d.executeUpdate();
                        }
                    }));
            assertEquals(1, deleted);
            assertTrue(listener.until(alice).contains(alice));
            List<ChangeEvent> events = collector.until(cid);
            assertEquals("conversation.deleted", events.get(events.size() - 1).type());
        }
    }

    @Test
    void another_user_never_sees_nor_touches_a_watch_row() throws Exception {
        String alice = newUser("alice");
        String bob = newUser("bob");
        try (ChangeFeed.Subscription s = feed.subscribe(alice, new Collector())) {
            List<String> rows = watchers(alice);
            assertEquals(1, rows.size());
            assertEquals(rows, Db.asUser(dataSource, alice, c -> strings(c.prepareStatement(
                    "SELECT instance_id::text FROM feed_watch"))));

            assertEquals(List.of(), Db.asUser(dataSource, bob, c -> strings(c.prepareStatement(
                    "SELECT user_id FROM feed_watch"))));
            assertEquals(Integer.valueOf(0), Db.asUser(dataSource, bob, c -> c.createStatement().executeUpdate(
                    "UPDATE feed_watch SET expires_at = now() - interval '1 hour' WHERE user_id = '" + alice + "'")));
            assertEquals(Integer.valueOf(0), Db.asUser(dataSource, bob, c -> c.createStatement().executeUpdate(
                    "DELETE FROM feed_watch WHERE user_id = '" + alice + "'")));
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> Db.asUser(dataSource, bob, c -> c.createStatement().executeUpdate(
                            "INSERT INTO feed_watch VALUES ('" + alice + "', gen_random_uuid(), now() + interval '1 hour')")));
            assertTrue(refused.getCause().getMessage().contains("row-level security"), refused::toString);
            // With no identity, nothing at all.
            assertEquals(List.of(), Db.withoutIdentity(dataSource, c -> strings(c.prepareStatement(
                    "SELECT user_id FROM feed_watch"))));
            // Alice's row is as it was.
            assertEquals(rows, watchers(alice));
        }
    }

    @Test
    void an_expired_watch_row_notifies_nobody_and_is_purged() throws Exception {
        String stale = newUser("stale");
        String live = newUser("live");
        String otherInstance = UUID.randomUUID().toString();
        Db.asUser(dataSource, stale, c -> c.createStatement().executeUpdate("INSERT INTO feed_watch VALUES ('"
                + stale + "', '" + otherInstance + "', now() - interval '1 minute')"));
        Db.asUser(dataSource, live, c -> c.createStatement().executeUpdate("INSERT INTO feed_watch VALUES ('"
                + live + "', '" + otherInstance + "', now() + interval '1 hour')"));
        try (Listener listener = new Listener()) {
            createConversation(stale, "an instance that died watched this");
            createConversation(live, "an instance that lives watches this");
            assertFalse(listener.until(live).contains(stale), listener.heard::toString);
        }
        feed.trim();
        assertEquals(List.of(), watchers(stale));
        assertEquals(List.of(otherInstance), watchers(live));
        Db.asUser(dataSource, live, c -> c.createStatement().executeUpdate("DELETE FROM feed_watch"));
    }

    @Test
    void a_write_that_checked_before_the_watch_existed_is_delivered_when_it_commits() throws Exception {
        String frank = newUser("frank");
        String late = UUID.randomUUID().toString();
        Collector collector = new Collector();
        ChangeFeed.Subscription[] subscription = new ChangeFeed.Subscription[1];
        try {
            Db.asUser(dataSource, frank, c -> {
                c.setAutoCommit(false);
                try (PreparedStatement insert = c.prepareStatement("""
                        INSERT INTO conversation (archived, auto_reply, created_at, description, metadata, pinned,
                                                  title, updated_at, user_id, version, id)
                        VALUES (false, true, now(), NULL, '{}', false, 'late', now(), ?, 0, ?::uuid)""")) {
                    insert.setString(1, frank);
                    insert.setString(2, late);
                    insert.executeUpdate();
                }
                // The event is written and nobody watched frank when it was: this commit notifies nobody.
                subscription[0] = feed.subscribe(frank, collector);
                assertEquals(1, watchers(frank).size());
                c.commit();
                c.setAutoCommit(true);
                return null;
            });
            List<ChangeEvent> events = collector.until(late);
            assertEquals(List.of("conversation.created"), events.stream().map(ChangeEvent::type).toList());
            // Once: the next event is the next write, not the late one again.
            String next = createConversation(frank, "next");
            List<ChangeEvent> after = collector.until(next);
            assertEquals(1, after.size(), after::toString);
            assertTrue(after.get(0).id() > events.get(0).id());
        } finally {
            if (subscription[0] != null) {
                subscription[0].close();
            }
        }
    }
}
