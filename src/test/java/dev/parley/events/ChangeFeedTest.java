package dev.parley.events;

import static dev.parley.support.Api.as;
import static dev.parley.support.Api.createConversation;
import static dev.parley.support.Api.newUser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.support.Db;
import dev.parley.support.SseClient;
import dev.parley.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** GET /api/events on one instance with the rules assistant: what a user sees, and nothing more. */
@QuarkusTest
public class ChangeFeedTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    ChangeFeed feed;

    /** Fixtures as a DBA: the application's pool sees only one identity's rows. */
    final DataSource dataSource = Db.superuser();

    static String url(String path) {
        return "http://localhost:" + RestAssured.port + path;
    }

    static SseClient subscribe(String user, String lastEventId) {
        SseClient client = SseClient.get(url("/api/events"), Tokens.bearer(user), lastEventId);
        assertEquals(200, client.status, () -> "feed refused: " + client.error());
        client.nextComment("subscribed", WAIT);
        return client;
    }

    /** Events of the stream until one of {@code type} about {@code field} = {@code value} arrived. */
    static List<SseClient.Event> until(SseClient client, String type, String field, String value) throws Exception {
        List<SseClient.Event> seen = new ArrayList<>();
        while (true) {
            SseClient.Event event = client.next(WAIT);
            seen.add(event);
            if (event.name().equals(type) && JSON.readTree(event.data()).path(field).asText().equals(value)) {
                return seen;
            }
        }
    }

    static List<String> names(List<SseClient.Event> events) {
        return events.stream().map(SseClient.Event::name).toList();
    }

    @Test
    void a_subscriber_sees_its_conversation_and_the_reply_in_order_and_another_user_sees_none_of_it()
            throws Exception {
        String alice = newUser("alice");
        String carol = newUser("carol");
        try (SseClient aliceFeed = subscribe(alice, null); SseClient carolFeed = subscribe(carol, null)) {
            String cid = createConversation(alice, "watched");
            String replyId = as(alice).body(Map.of("role", "user", "content", "hello"))
                    .post("/api/conversations/{id}/messages", cid).then().statusCode(201)
                    .extract().path("assistant_message_id");
            List<SseClient.Event> events = until(aliceFeed, "reply.complete", "message_id", replyId);
            assertEquals("conversation.created", events.get(0).name());
            assertEquals(cid, JSON.readTree(events.get(0).data()).path("conversation_id").asText());
            List<String> names = names(events);
            assertTrue(names.indexOf("message.created") < names.indexOf("reply.delta"), names::toString);
            assertTrue(names.indexOf("reply.delta") < names.indexOf("reply.complete"), names::toString);
            StringBuilder text = new StringBuilder();
            long previous = 0;
            for (SseClient.Event event : events) {
                long id = Long.parseLong(event.id());
                assertTrue(id > previous, "ids increase: " + events);
                previous = id;
                JsonNode data = JSON.readTree(event.data());
                if (event.name().equals("reply.delta")) {
                    assertEquals(replyId, data.path("message_id").asText());
                    text.append(data.path("content").asText());
                }
            }
            assertEquals("Hello! How can I assist you today?", text.toString());

            // Carol's own change is the first thing her feed shows: nothing of Alice's came before it.
            String carols = createConversation(carol, "mine");
            SseClient.Event first = carolFeed.next(WAIT);
            assertEquals("conversation.created", first.name());
            assertEquals(carols, JSON.readTree(first.data()).path("conversation_id").asText());
        }
    }

    @Test
    void events_carry_only_id_event_and_one_line_of_json_data() throws Exception {
        String alice = newUser("alice");
        try (SseClient feed = subscribe(alice, null)) {
            String cid = createConversation(alice, "wire format");
            as(alice).body(Map.of("title", "renamed")).patch("/api/conversations/{id}", cid).then().statusCode(200);
            as(alice).delete("/api/conversations/{id}", cid).then().statusCode(204);
            List<SseClient.Event> events = until(feed, "conversation.deleted", "conversation_id", cid);
            assertEquals(List.of("conversation.created", "conversation.updated", "conversation.deleted"),
                    names(events));
            for (String line : feed.lines) {
                assertTrue(line.isEmpty() || line.startsWith(":") || line.startsWith("id:")
                        || line.startsWith("event:") || line.startsWith("data:") || line.startsWith("retry:"),
                        "unexpected field line: " + line);
                if (line.startsWith("data:")) {
                    assertTrue(JSON.readTree(line.substring(5)).isObject(), line);
                }
            }
        }
    }

    @Test
    void a_client_that_reconnects_with_last_event_id_gets_exactly_what_it_missed() throws Exception {
        String alice = newUser("alice");
        String first;
        try (SseClient feed = subscribe(alice, null)) {
            String cid = createConversation(alice, "before the drop");
            first = until(feed, "conversation.created", "conversation_id", cid).get(0).id();
        }
        String missedOne = createConversation(alice, "missed one");
        String missedTwo = createConversation(alice, "missed two");
        try (SseClient feed = subscribe(alice, first)) {
            SseClient.Event one = feed.next(WAIT);
            SseClient.Event two = feed.next(WAIT);
            assertEquals(missedOne, JSON.readTree(one.data()).path("conversation_id").asText());
            assertEquals(missedTwo, JSON.readTree(two.data()).path("conversation_id").asText());
            // And live from there on, without repeating anything.
            String live = createConversation(alice, "live");
            SseClient.Event three = feed.next(WAIT);
            assertEquals(live, JSON.readTree(three.data()).path("conversation_id").asText());
            assertTrue(Long.parseLong(three.id()) > Long.parseLong(two.id()));
        }
    }

    @Test
    void a_last_event_id_past_the_retention_window_gets_a_resync_event() throws Exception {
        String alice = newUser("alice");
        String old;
        try (SseClient feed = subscribe(alice, null)) {
            String cid = createConversation(alice, "long ago");
            old = until(feed, "conversation.created", "conversation_id", cid).get(0).id();
        }
        try (Connection connection = dataSource.getConnection();
                PreparedStatement age = connection.prepareStatement(
                        "UPDATE change_event SET created_at = now() - interval '1 day' WHERE user_id = ?")) {
            age.setString(1, alice);
            age.executeUpdate();
        }
        feed.trim();
        try (SseClient feed = subscribe(alice, old)) {
            SseClient.Event resync = feed.next(WAIT);
            assertEquals("resync", resync.name());
            assertFalse(JSON.readTree(resync.data()).path("reason").asText().isBlank());
        }
        // Another user's event id is as unknown as a trimmed one.
        String bob = newUser("bob");
        try (SseClient feed = subscribe(bob, old)) {
            assertEquals("resync", feed.next(WAIT).name());
        }
    }

    @Test
    void an_idle_feed_gets_heartbeat_comments() {
        try (SseClient feed = subscribe(newUser("idle"), null)) {
            assertNotNull(feed.nextComment("heartbeat", WAIT));
        }
    }

    @Test
    void the_stream_past_the_per_user_limit_is_a_429_problem() {
        String alice = newUser("alice");
        List<SseClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) {
                open.add(subscribe(alice, null));
            }
            SseClient refused = SseClient.get(url("/api/events"), Tokens.bearer(alice), null);
            assertEquals(429, refused.status);
            assertTrue(refused.response.headers().firstValue("Content-Type").orElse("")
                    .startsWith("application/problem+json"));
            assertTrue(refused.response.headers().firstValue("Retry-After").isPresent());
            assertTrue(refused.error().contains("\"status\":429"), refused.error());
            // Another user is not held back by Alice's streams.
            try (SseClient bob = subscribe(newUser("bob"), null)) {
                assertEquals(200, bob.status);
            }
        } finally {
            open.forEach(SseClient::close);
        }
    }

    @Test
    void the_feed_needs_credentials() {
        RestAssured.given().accept("text/event-stream").get("/api/events").then().statusCode(401)
                .contentType("application/problem+json");
    }
}
