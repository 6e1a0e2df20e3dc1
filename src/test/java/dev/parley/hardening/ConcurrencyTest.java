package dev.parley.hardening;

import static dev.parley.support.Api.addMessage;
import static dev.parley.support.Api.as;
import static dev.parley.support.Api.createConversation;
import static dev.parley.support.Api.newUser;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@QuarkusTest
public class ConcurrencyTest {

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
}
