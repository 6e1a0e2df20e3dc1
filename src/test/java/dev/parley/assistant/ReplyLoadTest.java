package dev.parley.assistant;

import static dev.parley.support.Api.as;
import static dev.parley.support.Api.createConversation;
import static dev.parley.support.Api.newUser;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.support.Await;
import dev.parley.support.Db;
import dev.parley.support.FakeOpenAi;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Replies under load, with a small pool, two workers, a short lease and a slow model: no request
 * ever needs two connections at once (so a burst of reply-generating requests as large as four
 * times the pool gets no 503), and a backlog far larger than the workers is claimed only as fast
 * as it can be generated (no reply claimed twice, none failed as abandoned).
 */
@QuarkusTest
@TestProfile(ReplyLoadTest.SmallPool.class)
public class ReplyLoadTest {

    static final int POOL = 4;
    static final String ANSWER = "A considered answer.";

    /** Default rate limits and acquisition timeout; a pool of 4 and 2 workers. */
    public static class SmallPool implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.datasource.jdbc.max-size", String.valueOf(POOL),
                    "parley.assistant.provider", "openai",
                    "parley.assistant.openai.max-retries", "0",
                    "parley.assistant.concurrency", "2",
                    "parley.assistant.claim-lease", "PT10S",
                    "parley.assistant.heartbeat-every", "1s",
                    "parley.assistant.sweep-every", "1s");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(Model.class));
        }
    }

    /** A model that takes 150 ms per answer: the backlog takes longer than one lease to drain. */
    public static class Model implements QuarkusTestResourceLifecycleManager {
        static FakeOpenAi fake;

        @Override
        public Map<String, String> start() {
            fake = new FakeOpenAi().always(FakeOpenAi.slow(ANSWER, 150));
            return Map.of("parley.assistant.openai.base-url", fake.baseUrl());
        }

        @Override
        public void stop() {
            fake.close();
        }
    }

    /** Every user's rows, as a DBA sees them: the application's pool sees only one identity's. */
    final DataSource dataSource = Db.superuser();

    @Test
    void reply_generating_messages_from_four_times_the_pool_at_once_never_starve_it() throws Exception {
        List<String> users = users("pool");
        List<String> conversations = users.stream().map(u -> createConversation(u, "pool")).toList();
        List<String> replies = new CopyOnWriteArrayList<>();
        burst(users, (i, user) -> {
            Response response = as(user).body(Map.of("role", "user", "content", "burst " + i))
                    .post("/api/conversations/{id}/messages", conversations.get(i));
            if (response.statusCode() == 201) {
                replies.add(response.path("assistant_message_id"));
            }
            return response;
        }, 201);
        assertEquals(3 * users.size(), replies.size());
        for (String reply : replies) {
            Await.until(() -> query("SELECT status || '|' || content FROM message WHERE id = '" + reply + "'"),
                    ("complete|" + ANSWER)::equals, Duration.ofSeconds(60));
        }
    }

    @Test
    void chats_from_four_times_the_pool_at_once_never_starve_it() throws Exception {
        List<String> users = users("chat");
        List<String> conversations = users.stream().map(u -> createConversation(u, "chat")).toList();
        burst(users, (i, user) -> {
            Response response = as(user).body(Map.of("message", "chat " + i, "conversation_id", conversations.get(i)))
                    .post("/api/chat");
            if (response.statusCode() == 200) {
                assertEquals(ANSWER, response.path("response"));
            }
            return response;
        }, 200);
        for (String cid : conversations) {
            assertEquals("6|3", query("SELECT count(*) || '|' || count(*) FILTER (WHERE status = 'complete' AND role = 'assistant')"
                    + " FROM message WHERE conversation_id = '" + cid + "'"), "three chats, three complete replies");
        }
    }

    @Test
    void a_backlog_far_larger_than_the_workers_is_generated_once_each_and_never_abandoned() throws Exception {
        List<String> replies = new CopyOnWriteArrayList<>();
        // Four users, 50 messages each: inside the default chat budget of 60 per minute.
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int u = 0; u < 4; u++) {
                String user = newUser("backlog");
                String cid = createConversation(user, "backlog");
                done.add(clients.submit(() -> {
                    for (int m = 0; m < 50; m++) {
                        replies.add(as(user).body(Map.of("role", "user", "content", "backlog " + m))
                                .post("/api/conversations/{id}/messages", cid).then().statusCode(201)
                                .extract().path("assistant_message_id"));
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            clients.shutdownNow();
        }
        assertEquals(200, replies.size());
        String ids = "('" + String.join("','", replies) + "')";
        Await.until(() -> query("SELECT count(*) FROM message WHERE status <> 'pending' AND id IN " + ids),
                "200"::equals, Duration.ofSeconds(180));
        assertEquals("200", query("SELECT count(*) FROM message WHERE status = 'complete' AND id IN " + ids),
                "every reply complete, none failed as abandoned");
        assertEquals("200", query("SELECT count(*) FROM message WHERE reply_attempts = 1 AND id IN " + ids),
                "no reply claimed twice");
    }

    private static List<String> users(String prefix) {
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 4 * POOL; i++) {
            users.add(newUser(prefix));
        }
        return users;
    }

    /**
     * Three rounds: every user sends one request at the same moment. Every answer has the expected
     * status (a request starved of a connection answers 503 after the pool's 5 s acquisition
     * timeout), and readiness stays UP throughout. The slowest answer is printed; it is bounded
     * loosely, as on a shared, overloaded machine CPU time alone can exceed the timeout.
     */
    private static void burst(List<String> users, BiFunction<Integer, String, Response> request, int expected)
            throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        List<Integer> readiness = new CopyOnWriteArrayList<>();
        ExecutorService clients = Executors.newFixedThreadPool(users.size() + 1);
        try {
            Future<?> probe = clients.submit(() -> {
                while (running.get()) {
                    readiness.add(given().get("/q/health/ready").statusCode());
                    Thread.sleep(100);
                }
                return null;
            });
            long slowest = 0;
            for (int round = 0; round < 3; round++) {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<long[]>> answers = new ArrayList<>();
                for (int i = 0; i < users.size(); i++) {
                    int index = i;
                    answers.add(clients.submit(() -> {
                        go.await();
                        long start = System.nanoTime();
                        int status = request.apply(index, users.get(index)).statusCode();
                        return new long[] {status, (System.nanoTime() - start) / 1_000_000};
                    }));
                }
                go.countDown();
                for (Future<long[]> answer : answers) {
                    long[] result = answer.get();
                    assertEquals(expected, (int) result[0], "round " + round);
                    slowest = Math.max(slowest, result[1]);
                }
            }
            running.set(false);
            probe.get();
            System.out.printf("burst of %d x 3: slowest answer %d ms, readiness probes %d%n", users.size(), slowest,
                    readiness.size());
            assertTrue(slowest < 20_000, "slowest answer took " + slowest + " ms");
            assertTrue(!readiness.isEmpty() && readiness.stream().allMatch(s -> s == 200), "readiness: " + readiness);
        } finally {
            running.set(false);
            clients.shutdownNow();
        }
    }

    private String query(String sql) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql);
                ResultSet rs = s.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
