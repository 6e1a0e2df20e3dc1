package dev.parley.assistant;

import static dev.parley.support.Api.as;
import static dev.parley.support.Api.createConversation;
import static dev.parley.support.Api.newUser;
import static org.hamcrest.Matchers.equalTo;

import dev.parley.ops.ReadinessTest;
import dev.parley.ops.StoppableDatabase;
import dev.parley.support.Await;
import dev.parley.support.ControllableAssistant;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The model has answered, and the database goes away just when the answer is to be stored: the
 * answer is kept and stored once PostgreSQL is back, instead of being thrown away or turned into a
 * failed reply.
 */
@QuarkusTest
@TestProfile(ReadinessTest.OwnDatabase.class)
public class ReplyStoreRetryTest {

    @StoppableDatabase.Control
    StoppableDatabase database;

    @Inject
    MeterRegistry registry;

    @AfterEach
    void databaseBack() {
        database.startDatabase();
    }

    @Test
    void an_answer_that_cannot_be_stored_yet_is_stored_when_the_database_returns() {
        ControllableAssistant model = ControllableAssistant.heldBack("Worth the wait.");
        QuarkusMock.installMockForType(model, Assistant.class);
        String alice = newUser("alice");
        String cid = createConversation(alice, "outage");
        String replyId = as(alice).body(Map.of("role", "user", "content", "Still there?"))
                .post("/api/conversations/{id}/messages", cid).then().statusCode(201)
                .extract().path("assistant_message_id");
        Await.until(model.calls::get, calls -> calls == 1, Duration.ofSeconds(30));
        double retriesBefore = retries();

        database.stopDatabase();
        model.release.countDown();
        Await.until(this::retries, retries -> retries > retriesBefore, Duration.ofSeconds(30));
        database.startDatabase();

        Await.until(() -> as(alice).get("/api/conversations/{c}/messages/{m}", cid, replyId).then().extract()
                .path("status"), "complete"::equals, Duration.ofSeconds(60));
        as(alice).get("/api/conversations/{c}/messages/{m}", cid, replyId).then()
                .body("content", equalTo("Worth the wait."))
                .body("endpoint", equalTo("test"));
    }

    private double retries() {
        return registry.counter("parley.reply.store.retries").count();
    }
}
