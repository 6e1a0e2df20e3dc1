package dev.parley.contract;

import static dev.parley.support.Api.as;
import static dev.parley.support.Api.createConversation;
import static dev.parley.support.Api.newUser;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;

import io.quarkus.test.junit.QuarkusTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SPEC §3: every conversation and message shows its owner as user_id, in every representation. */
@QuarkusTest
public class OwnerFieldTest {

    @Test
    void every_representation_of_a_conversation_or_message_shows_user_id() {
        String alice = newUser("alice");
        String cid = createConversation(alice, Map.of("title", "owned", "auto_reply", false));
        as(alice).get("/api/conversations/{id}", cid).then().statusCode(200).body("user_id", equalTo(alice));
        as(alice).get("/api/conversations").then().statusCode(200)
                .body("results", hasSize(1)).body("results.user_id", everyItem(equalTo(alice)));

        String mid = as(alice).body(Map.of("role", "user", "content", "owned words"))
                .post("/api/conversations/{id}/messages", cid).then().statusCode(201)
                .body("user_id", equalTo(alice)).extract().path("id");
        as(alice).get("/api/conversations/{c}/messages/{m}", cid, mid).then().statusCode(200)
                .body("user_id", equalTo(alice));
        as(alice).body(Map.of("content", "owned words, edited")).patch("/api/conversations/{c}/messages/{m}", cid, mid)
                .then().statusCode(200).body("user_id", equalTo(alice));

        as(alice).body(Map.of("message", "hello", "conversation_id", cid)).post("/api/chat").then().statusCode(200)
                .body("user_id", equalTo(alice));
        as(alice).get("/api/conversations/{id}/messages", cid).then().statusCode(200)
                .body("results", hasSize(3)).body("results.user_id", everyItem(equalTo(alice)));
        as(alice).queryParam("q", "edited").get("/api/search").then().statusCode(200)
                .body("results", hasSize(1)).body("results[0].message.user_id", equalTo(alice));
        as(alice).body(Map.of("title", "renamed")).patch("/api/conversations/{id}", cid).then().statusCode(200)
                .body("user_id", equalTo(alice));
    }
}
