package dev.parley.openai;

import static dev.parley.support.Api.as;
import static dev.parley.support.Api.newUser;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import dev.parley.hardening.RateLimitTest;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The per-user limits hold on /v1 too, and their 429 comes in OpenAI's envelope. */
@QuarkusTest
@TestProfile(RateLimitTest.SmallLimits.class)
public class OpenAiRateLimitTest {

    @Test
    void should_answer_429_in_the_envelope_once_the_chat_budget_is_spent() {
        String alice = newUser("alice");
        for (int i = 0; i < 2; i++) {
            as(alice).body(Map.of("input", "hello " + i)).post("/v1/responses").then().statusCode(200);
        }
        as(alice).body(Map.of("input", "one too many")).post("/v1/responses").then().statusCode(429)
                .contentType("application/json")
                .header("Retry-After", notNullValue())
                .body("error.type", equalTo("rate_limit_error"))
                .body("error.code", equalTo("rate_limit_exceeded"))
                .body("error.message", containsString("chat"));
        // Nothing of the refused request was stored: two conversations, each with a question and its answer.
        as(alice).get("/v1/conversations").then().body("data.size()", equalTo(2));
    }
}
