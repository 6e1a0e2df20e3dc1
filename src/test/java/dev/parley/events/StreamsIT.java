package dev.parley.events;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.support.FakeOpenAi;
import dev.parley.support.ParleyProcess;
import dev.parley.support.SseClient;
import dev.parley.support.Tokens;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two instances of the packaged jar on one database, as two replicas behind a load balancer: a
 * write on A reaches a feed client on B, and a reply stream dropped on A resumes on B.
 */
public class StreamsIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static EmbeddedPostgres database;
    private static FakeOpenAi model;
    private static ParleyProcess a;
    private static ParleyProcess b;

    @BeforeAll
    static void start() {
        database = ParleyProcess.database();
        model = new FakeOpenAi();
        Map<String, String> settings = Map.of("PARLEY_ASSISTANT_PROVIDER", "openai",
                "PARLEY_ASSISTANT_OPENAI_BASE_URL", model.baseUrl(),
                "PARLEY_ASSISTANT_OPENAI_MODEL", "gpt-fake",
                "PARLEY_ASSISTANT_OPENAI_MAX_RETRIES", "0",
                "PARLEY_ASSISTANT_OPENAI_TIMEOUT", "120s",
                "PARLEY_STREAMS_HEARTBEAT_EVERY", "1s");
        a = ParleyProcess.start("parley-streams-a", database, settings);
        b = ParleyProcess.start("parley-streams-b", database, settings);
    }

    @AfterAll
    static void stop() throws Exception {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        model.close();
        database.close();
    }

    private static RequestSpecification on(ParleyProcess instance, String user) {
        return given().baseUri(instance.baseUri()).header("Authorization", Tokens.bearer(user))
                .contentType(ContentType.JSON);
    }

    private static SseClient feed(ParleyProcess instance, String user) {
        SseClient client = SseClient.get(instance.baseUri() + "/api/events", Tokens.bearer(user), null);
        assertEquals(200, client.status, client::error);
        client.nextComment("subscribed", WAIT);
        return client;
    }

    private static String field(SseClient.Event event, String name) throws Exception {
        return JSON.readTree(event.data()).path(name).asText();
    }

    @Test
    void a_message_posted_on_a_reaches_its_owner_on_b_in_order_within_a_second_and_nobody_else() throws Exception {
        String alice = "alice-" + UUID.randomUUID();
        String carol = "carol-" + UUID.randomUUID();
        model.then(FakeOpenAi.text("Noted."));
        try (SseClient aliceOnB = feed(b, alice); SseClient carolOnB = feed(b, carol)) {
            String cid = on(a, alice).body(Map.of("title", "across replicas")).post("/api/conversations")
                    .then().statusCode(201).extract().path("id");
            SseClient.Event created = aliceOnB.next(WAIT);
            assertEquals("conversation.created", created.name());
            assertEquals(cid, field(created, "conversation_id"));

            long posted = System.nanoTime();
            String mid = on(a, alice).body(Map.of("role", "user", "content", "remember this"))
                    .post("/api/conversations/{id}/messages", cid).then().statusCode(201).extract().path("id");
            long stored = System.nanoTime();
            // In the order of the transaction: the conversation's activity moves, then the message is added.
            SseClient.Event touched = aliceOnB.next(WAIT);
            assertEquals("conversation.updated", touched.name());
            SseClient.Event message = aliceOnB.next(WAIT);
            long arrived = System.nanoTime();
            long delayMillis = (arrived - stored) / 1_000_000;
            assertEquals("message.created", message.name());
            assertEquals(mid, field(message, "message_id"));
            assertTrue(Long.parseLong(message.id()) > Long.parseLong(touched.id()));
            System.out.printf("feed: message stored on A -> event on B in %d ms (%d ms from sending the POST)%n",
                    Math.max(0, delayMillis), (arrived - posted) / 1_000_000);
            assertTrue(delayMillis < 1000, "took " + delayMillis + " ms after the POST answered");

            // The rest of the exchange arrives in commit order, ids increasing.
            List<String> names = new ArrayList<>();
            long previous = Long.parseLong(message.id());
            while (!names.contains("reply.complete")) {
                SseClient.Event event = aliceOnB.next(WAIT);
                assertTrue(Long.parseLong(event.id()) > previous);
                previous = Long.parseLong(event.id());
                names.add(event.name());
            }
            assertTrue(names.indexOf("message.created") < names.indexOf("reply.complete"), names::toString);

            // Carol's own write is the first event she sees: none of Alice's reached her.
            String carols = on(a, carol).body(Map.of("title", "carol's")).post("/api/conversations")
                    .then().statusCode(201).extract().path("id");
            SseClient.Event first = carolOnB.next(WAIT);
            assertEquals("conversation.created", first.name());
            assertEquals(carols, field(first, "conversation_id"));
        }
    }

    @Test
    void a_chat_stream_dropped_on_a_resumes_on_b_with_exactly_the_remaining_text() throws Exception {
        String alice = "alice-" + UUID.randomUUID();
        FakeOpenAi.Gate gate = new FakeOpenAi.Gate();
        model.then(FakeOpenAi.gated(gate, "Rivers ", "run ", "to ", "the ", "sea."));
        gate.open(1);
        String stream;
        String lastId;
        StringBuilder text = new StringBuilder();
        try (SseClient chat = SseClient.post(a.baseUri() + "/api/chat", Tokens.bearer(alice),
                "{\"message\":\"where do rivers go?\"}")) {
            assertEquals(200, chat.status, chat::error);
            stream = chat.response.headers().firstValue("Location").orElseThrow();
            SseClient.Event first = chat.next(WAIT);
            assertEquals("delta", first.name());
            text.append(field(first, "content"));
            lastId = first.id();
        }
        // A's client is gone. The reply goes on; the client comes back through B.
        gate.open(1);
        String onB = stream.replaceFirst("^https?://[^/]+", b.baseUri());
        int offset = text.length();
        List<SseClient.Event> events;
        try (SseClient resumed = SseClient.get(onB, Tokens.bearer(alice), lastId)) {
            assertEquals(200, resumed.status, resumed::error);
            SseClient.Event live = resumed.next(WAIT);
            assertEquals("delta", live.name());
            assertEquals("run ", field(live, "content"));
            events = new ArrayList<>(List.of(live));
            gate.open(3);
            events.addAll(resumed.untilEnd(WAIT));
        }
        SseClient.Event done = events.get(events.size() - 1);
        assertEquals("done", done.name());
        for (SseClient.Event delta : events.subList(0, events.size() - 1)) {
            assertEquals("delta", delta.name());
            String piece = field(delta, "content");
            offset += piece.length();
            assertEquals(offset, Integer.parseInt(delta.id().substring(delta.id().lastIndexOf(':') + 1)),
                    "contiguous: " + events);
            text.append(piece);
        }
        JsonNode answer = JSON.readTree(done.data());
        String cid = answer.path("conversation_id").asText();
        String rid = answer.path("id").asText();
        String stored = on(b, alice).get("/api/conversations/{c}/messages/{m}", cid, rid).then().statusCode(200)
                .extract().path("content");
        assertEquals("Rivers run to the sea.", stored);
        assertEquals(stored, text.toString());
        assertEquals("complete", answer.path("status").asText());

        // Another user cannot watch it from either instance.
        on(b, "mallory-" + UUID.randomUUID()).accept("text/event-stream")
                .get("/api/conversations/{c}/messages/{m}/stream", cid, rid).then().statusCode(404);
    }

    @Test
    void a_stopping_instance_ends_its_streams_with_a_retry_hint() throws Exception {
        String alice = "alice-" + UUID.randomUUID();
        // As in production: readiness goes DOWN for a delay, and the streams end when it starts.
        Map<String, String> settings = Map.of("PARLEY_STREAMS_RETRY", "3s", "QUARKUS_SHUTDOWN_DELAY_ENABLED", "true",
                "QUARKUS_SHUTDOWN_DELAY", "2S", "QUARKUS_SHUTDOWN_TIMEOUT", "30S");
        try (ParleyProcess c = ParleyProcess.start("parley-streams-c", database, settings)) {
            SseClient client = feed(c, alice);
            long stopping = System.nanoTime();
            c.stop(WAIT);
            assertTrue(client.untilEnd(WAIT).isEmpty());
            // Ended at once, not after the graceful shutdown gave up waiting for it.
            long stoppedMillis = (System.nanoTime() - stopping) / 1_000_000;
            assertTrue(stoppedMillis < 25_000, "stopped in " + stoppedMillis + " ms");
            assertTrue(client.lines.stream().anyMatch(line -> line.replace(" ", "").equals("retry:3000")),
                    client.lines::toString);
        }
    }
}
