package dev.parley.hardening;

import static dev.parley.support.Api.as;
import static dev.parley.support.Api.createConversation;
import static dev.parley.support.Api.newUser;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.support.Await;
import dev.parley.support.Db;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@QuarkusTest
public class IdempotencyTest {

    /** Every user's rows, as a DBA sees them: the application's pool sees only one identity's. */
    final DataSource dataSource = Db.superuser();

    @BeforeAll
    static void logFailures() {
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    @Test
    void a_retried_create_returns_the_first_answer_and_creates_nothing() {
        String alice = newUser("alice");
        String key = UUID.randomUUID().toString();
        ExtractableResponse<Response> first = as(alice).header("Idempotency-Key", key)
                .body(Map.of("title", "once")).post("/api/conversations").then().statusCode(201).extract();
        ExtractableResponse<Response> retry = as(alice).header("Idempotency-Key", key)
                .body(Map.of("title", "once")).post("/api/conversations").then().statusCode(201)
                .header("Idempotent-Replayed", "true").extract();
        assertEquals(first.<String>path("id"), retry.path("id"));
        assertEquals(first.header("Location"), retry.header("Location"));
        assertEquals(first.<String>path("created_at"), retry.path("created_at"));
        as(alice).get("/api/conversations").then().body("count", is(1));
    }

    @Test
    void the_same_key_with_another_body_is_422() {
        String alice = newUser("alice");
        String key = UUID.randomUUID().toString();
        as(alice).header("Idempotency-Key", key).body(Map.of("title", "first")).post("/api/conversations")
                .then().statusCode(201);
        as(alice).header("Idempotency-Key", key).body(Map.of("title", "second")).post("/api/conversations")
                .then().statusCode(422).contentType("application/problem+json")
                .body("errors['Idempotency-Key']", hasSize(1));
        as(alice).get("/api/conversations").then().body("count", is(1));
    }

    @Test
    void keys_belong_to_their_user() {
        String alice = newUser("alice");
        String bob = newUser("bob");
        String key = UUID.randomUUID().toString();
        String mine = as(alice).header("Idempotency-Key", key).body(Map.of("title", "t")).post("/api/conversations")
                .then().statusCode(201).extract().path("id");
        String his = as(bob).header("Idempotency-Key", key).body(Map.of("title", "t")).post("/api/conversations")
                .then().statusCode(201).extract().path("id");
        assertTrue(!mine.equals(his));
        as(bob).get("/api/conversations/{id}", mine).then().statusCode(404);
    }

    @Test
    void parallel_retries_create_one_row() throws Exception {
        String alice = newUser("alice");
        String key = UUID.randomUUID().toString();
        int clients = 6;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<ExtractableResponse<Response>>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) {
                answers.add(pool.submit(() -> {
                    start.await();
                    return as(alice).header("Idempotency-Key", key).body(Map.of("title", "parallel"))
                            .post("/api/conversations").then().extract();
                }));
            }
            start.countDown();
            Set<String> ids = new HashSet<>();
            for (Future<ExtractableResponse<Response>> answer : answers) {
                ExtractableResponse<Response> response = answer.get();
                assertTrue(response.statusCode() == 201 || response.statusCode() == 409,
                        "status " + response.statusCode());
                if (response.statusCode() == 201) {
                    ids.add(response.path("id"));
                }
            }
            assertEquals(1, ids.size(), "every successful answer names the same conversation");
        } finally {
            pool.shutdownNow();
        }
        as(alice).get("/api/conversations").then().body("count", is(1));
    }

    @Test
    void messages_and_chat_are_idempotent_too() {
        String alice = newUser("alice");
        String cid = createConversation(alice, Map.of("title", "idem", "auto_reply", false));
        String key = UUID.randomUUID().toString();
        String first = as(alice).header("Idempotency-Key", key).body(Map.of("role", "user", "content", "hi"))
                .post("/api/conversations/{id}/messages", cid).then().statusCode(201).extract().path("id");
        as(alice).header("Idempotency-Key", key).body(Map.of("role", "user", "content", "hi"))
                .post("/api/conversations/{id}/messages", cid).then().statusCode(201)
                .header("Idempotent-Replayed", "true").body("id", equalTo(first));
        as(alice).get("/api/conversations/{id}", cid).then().body("message_count", is(1));

        String chatKey = UUID.randomUUID().toString();
        ExtractableResponse<Response> answer = as(alice).header("Idempotency-Key", chatKey)
                .body(Map.of("message", "hello", "conversation_id", cid)).post("/api/chat")
                .then().statusCode(200).extract();
        as(alice).header("Idempotency-Key", chatKey).body(Map.of("message", "hello", "conversation_id", cid))
                .post("/api/chat").then().statusCode(200)
                .header("Idempotent-Replayed", "true")
                .body("response_message_id", equalTo(answer.path("response_message_id")))
                .body("response", equalTo("Hello! How can I assist you today?"));
        as(alice).get("/api/conversations/{id}", cid).then().body("message_count", is(3));
    }

    @Test
    void a_failed_request_frees_its_key_and_bad_keys_are_400() {
        String alice = newUser("alice");
        String key = UUID.randomUUID().toString();
        as(alice).header("Idempotency-Key", key).body(Map.of("title", "x".repeat(300))).post("/api/conversations")
                .then().statusCode(400).header("Idempotent-Replayed", nullValue());
        // The key is free again: the corrected request runs (nothing replayed) and is kept from then on.
        String id = as(alice).header("Idempotency-Key", key).body(Map.of("title", "fixed")).post("/api/conversations")
                .then().statusCode(201).header("Idempotent-Replayed", nullValue()).body("title", equalTo("fixed"))
                .extract().path("id");
        as(alice).header("Idempotency-Key", key).body(Map.of("title", "fixed")).post("/api/conversations")
                .then().statusCode(201).header("Idempotent-Replayed", "true").body("id", equalTo(id));
        as(alice).delete("/api/conversations/{id}", id).then().statusCode(204);
        as(alice).header("Idempotency-Key", "k".repeat(256)).body(Map.of("title", "t")).post("/api/conversations")
                .then().statusCode(400).body("errors['Idempotency-Key']", hasSize(1));
        as(alice).get("/api/conversations").then().body("count", is(0));
    }

    @Test
    void a_retry_while_the_first_request_runs_is_409_with_retry_after() throws Exception {
        String alice = newUser("alice");
        String cid = createConversation(alice, Map.of("title", "in flight", "auto_reply", false));
        String key = UUID.randomUUID().toString();
        Map<String, String> body = Map.of("role", "user", "content", "slow");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Connection lock = dataSource.getConnection()) {
            // Holding the conversation's row keeps the first request waiting inside its work.
            lock.setAutoCommit(false);
            try (PreparedStatement select = lock.prepareStatement("SELECT 1 FROM conversation WHERE id = ? FOR UPDATE")) {
                select.setObject(1, UUID.fromString(cid));
                select.executeQuery().close();
            }
            Future<ExtractableResponse<Response>> first = pool.submit(() -> as(alice).header("Idempotency-Key", key)
                    .body(body).post("/api/conversations/{id}/messages", cid).then().extract());
            Await.until(() -> keyRows(key), n -> n == 1, Duration.ofSeconds(30));
            as(alice).header("Idempotency-Key", key).body(body).post("/api/conversations/{id}/messages", cid)
                    .then().statusCode(409).contentType("application/problem+json").header("Retry-After", "1")
                    .body("detail", equalTo("The first request with this Idempotency-Key is still running; retry"));
            lock.rollback();
            ExtractableResponse<Response> answer = first.get(30, TimeUnit.SECONDS);
            assertEquals(201, answer.statusCode());
            as(alice).header("Idempotency-Key", key).body(body).post("/api/conversations/{id}/messages", cid)
                    .then().statusCode(201).header("Idempotent-Replayed", "true")
                    .header("Location", answer.header("Location")).body("id", equalTo(answer.path("id")));
        } finally {
            pool.shutdownNow();
        }
        as(alice).get("/api/conversations/{id}", cid).then().body("message_count", is(1));
    }

    @Test
    void kept_answers_go_with_their_conversation() {
        String alice = newUser("alice");
        String key = UUID.randomUUID().toString();
        String id = as(alice).header("Idempotency-Key", key).body(Map.of("title", "secret plans"))
                .post("/api/conversations").then().statusCode(201).extract().path("id");
        String messageKey = UUID.randomUUID().toString();
        as(alice).header("Idempotency-Key", messageKey).body(Map.of("role", "user", "content", "secret"))
                .post("/api/conversations/{id}/messages", id).then().statusCode(201);
        assertEquals(1, keyRows(key));
        assertEquals(1, keyRows(messageKey));
        as(alice).delete("/api/conversations/{id}", id).then().statusCode(204);
        assertEquals(0, keyRows(key), "the kept answer held the conversation's title");
        assertEquals(0, keyRows(messageKey), "the kept answer held the message's text");
        // The key is free: the same request creates a new conversation.
        as(alice).header("Idempotency-Key", key).body(Map.of("title", "secret plans")).post("/api/conversations")
                .then().statusCode(201).header("Idempotent-Replayed", nullValue()).body("id", not(equalTo(id)));
    }

    private int keyRows(String key) {
        try (Connection db = dataSource.getConnection();
                PreparedStatement count = db.prepareStatement("SELECT count(*) FROM idempotency_key WHERE idem_key = ?")) {
            count.setString(1, key);
            try (ResultSet rows = count.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
