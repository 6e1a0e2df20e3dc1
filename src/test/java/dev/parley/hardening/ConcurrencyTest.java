package dev.parley.hardening;

import static dev.parley.support.Api.addMessage;
import static dev.parley.support.Api.as;
import static dev.parley.support.Api.createConversation;
import static dev.parley.support.Api.newUser;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.parley.support.Db;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@QuarkusTest
public class ConcurrencyTest {

    /** Every user's rows, as a DBA sees them: the application's pool sees only one identity's. */
    final DataSource dataSource = Db.superuser();

    @BeforeAll
    static void logFailures() {
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    @Test
    void a_stale_if_match_is_412_and_changes_nothing() {
        String alice = newUser("alice");
        String id = createConversation(alice, "original");
        String etag = as(alice).get("/api/conversations/{id}", id).then().statusCode(200).extract().header("ETag");

        String newer = as(alice).header("If-Match", etag).body(Map.of("title", "first edit"))
                .patch("/api/conversations/{id}", id).then().statusCode(200)
                .body("title", equalTo("first edit"))
                .header("ETag", not(equalTo(etag)))
                .extract().header("ETag");
        as(alice).header("If-Match", etag).body(Map.of("title", "lost edit"))
                .patch("/api/conversations/{id}", id).then().statusCode(412)
                .contentType("application/problem+json").body("status", is(412));
        as(alice).header("If-Match", etag).body(Map.of("title", "lost edit"))
                .put("/api/conversations/{id}", id).then().statusCode(412);
        as(alice).header("If-Match", etag).delete("/api/conversations/{id}", id).then().statusCode(412);
        as(alice).header("If-Match", "\"garbage").body(Map.of("title", "x"))
                .patch("/api/conversations/{id}", id).then().statusCode(412);
        as(alice).get("/api/conversations/{id}", id).then().body("title", equalTo("first edit"))
                .header("ETag", equalTo(newer));

        as(alice).header("If-Match", "*").body(Map.of("pinned", true)).patch("/api/conversations/{id}", id)
                .then().statusCode(200);
        String current = as(alice).get("/api/conversations/{id}", id).then().extract().header("ETag");
        as(alice).header("If-Match", current).delete("/api/conversations/{id}", id).then().statusCode(204);
    }

    @Test
    void messages_have_etags_too() {
        String alice = newUser("alice");
        String cid = createConversation(alice, Map.of("title", "m", "auto_reply", false));
        String mid = addMessage(alice, cid, "user", "v1");
        String etag = as(alice).get("/api/conversations/{c}/messages/{m}", cid, mid).then().extract().header("ETag");
        as(alice).header("If-Match", etag).body(Map.of("content", "v2"))
                .patch("/api/conversations/{c}/messages/{m}", cid, mid).then().statusCode(200);
        as(alice).header("If-Match", etag).body(Map.of("role", "user", "content", "v3"))
                .put("/api/conversations/{c}/messages/{m}", cid, mid).then().statusCode(412);
        as(alice).header("If-Match", etag).delete("/api/conversations/{c}/messages/{m}", cid, mid)
                .then().statusCode(412);
        as(alice).get("/api/conversations/{c}/messages/{m}", cid, mid).then().body("content", equalTo("v2"));
        // The other user cannot probe versions either.
        as(newUser("bob")).header("If-Match", etag).delete("/api/conversations/{c}/messages/{m}", cid, mid)
                .then().statusCode(404);
    }

    @Test
    void two_clients_editing_from_the_same_etag_cannot_both_win() throws Exception {
        String alice = newUser("alice");
        for (int round = 0; round < 5; round++) {
            String id = createConversation(alice, "race " + round);
            String etag = as(alice).get("/api/conversations/{id}", id).then().extract().header("ETag");
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<Integer>> results = new ArrayList<>();
                for (String title : List.of("from A", "from B")) {
                    results.add(pool.submit(() -> {
                        start.await();
                        return as(alice).header("If-Match", etag).body(Map.of("title", title))
                                .patch("/api/conversations/{id}", id).then().extract().statusCode();
                    }));
                }
                start.countDown();
                List<Integer> statuses = new ArrayList<>();
                for (Future<Integer> result : results) {
                    statuses.add(result.get());
                }
                Collections.sort(statuses);
                assertEquals(List.of(200, 412), statuses, "round " + round);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void parallel_inserts_keep_message_count_exact() throws Exception {
        String alice = newUser("alice");
        String cid = createConversation(alice, Map.of("title", "busy", "auto_reply", false));
        int writers = 8;
        int each = 5;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Callable<Void>> tasks = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                tasks.add(() -> {
                    for (int i = 0; i < each; i++) {
                        addMessage(alice, cid, "user", "writer " + writer + " message " + i);
                    }
                    return null;
                });
            }
            for (Future<Void> done : pool.invokeAll(tasks)) {
                done.get();
            }
        } finally {
            pool.shutdownNow();
        }
        as(alice).get("/api/conversations/{id}", cid).then().body("message_count", is(writers * each));
        as(alice).get("/api/conversations/{id}/messages", cid).then().body("count", is(writers * each));
    }

    @Test
    void derived_fields_equal_count_and_max_after_parallel_inserts_and_deletes() throws Exception {
        String alice = newUser("alice");
        // auto_reply on: user messages also add pending replies, created a microsecond later.
        String cid = createConversation(alice, Map.of("title", "churn", "auto_reply", true));
        int writers = 6;
        // A message deletes its subtree, and one posted without parent_id follows the current leaf,
        // which another writer's doomed message may be at that moment. Each writer therefore answers
        // its own anchor, so its deletes take exactly what it wrote.
        List<String> anchors = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            anchors.add(addMessage(alice, cid, "system", "anchor of writer " + w));
        }
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Callable<Void>> tasks = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                tasks.add(() -> {
                    start.await();
                    for (int i = 0; i < 4; i++) {
                        String anchor = anchors.get(writer);
                        String keep = addMessage(alice, cid, Map.of("role", i % 2 == 0 ? "user" : "assistant",
                                "content", "w" + writer + " " + i, "parent_id", anchor));
                        String drop = addMessage(alice, cid, Map.of("role", "assistant",
                                "content", "w" + writer + " doomed " + i, "parent_id", anchor));
                        as(alice).delete("/api/conversations/{c}/messages/{m}", cid, drop).then().statusCode(204);
                        if (i == 3) {
                            as(alice).delete("/api/conversations/{c}/messages/{m}", cid, keep).then().statusCode(204);
                        }
                    }
                    return null;
                });
            }
            List<Future<Void>> done = new ArrayList<>();
            for (Callable<Void> task : tasks) {
                done.add(pool.submit(task));
            }
            start.countDown();
            for (Future<Void> task : done) {
                task.get();
            }
        } finally {
            pool.shutdownNow();
        }
        try (Connection db = dataSource.getConnection();
                PreparedStatement check = db.prepareStatement("""
                        SELECT c.message_count, (SELECT count(*) FROM message m WHERE m.conversation_id = c.id),
                               c.last_message_at, (SELECT max(created_at) FROM message m WHERE m.conversation_id = c.id)
                          FROM conversation c WHERE c.id = ?""")) {
            check.setObject(1, java.util.UUID.fromString(cid));
            try (ResultSet row = check.executeQuery()) {
                row.next();
                // 6 anchors, 6 writers x 4 kept (one of them deleted again), user messages with replies.
                assertEquals(row.getLong(2), row.getLong(1), "message_count against count(*)");
                assertEquals(6 + 6 * 3 + 6 * 2, row.getLong(2), "rows left");
                assertEquals(row.getObject(4, java.time.OffsetDateTime.class),
                        row.getObject(3, java.time.OffsetDateTime.class), "last_message_at against max(created_at)");
            }
        }
        as(alice).get("/api/conversations/{id}", cid).then().body("message_count", is(6 + 6 * 3 + 6 * 2));
    }

    @Test
    void a_new_message_changes_the_etag_and_a_stale_if_match_is_412() {
        String alice = newUser("alice");
        String cid = createConversation(alice, Map.of("title", "etag", "auto_reply", false));
        String before = as(alice).get("/api/conversations/{id}", cid).then().extract().header("ETag");
        String mid = addMessage(alice, cid, "user", "news");
        String afterAdd = as(alice).get("/api/conversations/{id}", cid).then().body("message_count", is(1))
                .header("ETag", not(equalTo(before))).extract().header("ETag");
        as(alice).header("If-Match", before).delete("/api/conversations/{id}", cid).then().statusCode(412)
                .contentType("application/problem+json").body("status", is(412));
        as(alice).header("If-Match", before).body(Map.of("title", "x")).put("/api/conversations/{id}", cid)
                .then().statusCode(412);
        as(alice).delete("/api/conversations/{c}/messages/{m}", cid, mid).then().statusCode(204);
        as(alice).header("If-Match", afterAdd).body(Map.of("title", "x")).patch("/api/conversations/{id}", cid)
                .then().statusCode(412);
        as(alice).get("/api/conversations/{id}", cid).then().body("message_count", is(0))
                .body("title", equalTo("etag")).header("ETag", not(equalTo(afterAdd)));
    }

    @Test
    void two_writers_racing_without_if_match_never_lose_an_update_the_loser_gets_409() throws Exception {
        String alice = newUser("alice");
        String cid = createConversation(alice, Map.of("title", "race", "auto_reply", false));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (Connection lock = dataSource.getConnection()) {
            // Both writers read the same version, then queue on the row this test holds.
            lock.setAutoCommit(false);
            try (PreparedStatement select = lock.prepareStatement("SELECT 1 FROM conversation WHERE id = ? FOR UPDATE")) {
                select.setObject(1, java.util.UUID.fromString(cid));
                select.executeQuery().close();
            }
            List<Future<Integer>> writers = new ArrayList<>();
            for (String title : List.of("from A", "from B")) {
                writers.add(pool.submit(() -> as(alice).body(Map.of("title", title)).patch("/api/conversations/{id}", cid)
                        .then().extract().statusCode()));
            }
            dev.parley.support.Await.until(this::writersWaitingForTheLock, n -> n == 2, java.time.Duration.ofSeconds(30));
            lock.rollback();
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> writer : writers) {
                statuses.add(writer.get());
            }
            Collections.sort(statuses);
            assertEquals(List.of(200, 409), statuses);
        } finally {
            pool.shutdownNow();
        }
    }

    private long writersWaitingForTheLock() {
        try (Connection db = dataSource.getConnection();
                PreparedStatement waiting = db.prepareStatement("""
                        SELECT count(*) FROM pg_stat_activity
                         WHERE wait_event_type = 'Lock' AND query ILIKE 'update conversation%'""");
                ResultSet rows = waiting.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
