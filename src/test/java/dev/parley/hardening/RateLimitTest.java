package dev.parley.hardening;

import static dev.parley.support.Api.as;
import static dev.parley.support.Api.createConversation;
import static dev.parley.support.Api.newUser;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.security.DatabaseIdentity;
import io.agroal.api.AgroalDataSource;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestProfile(RateLimitTest.SmallLimits.class)
public class RateLimitTest {

    public static class SmallLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("parley.rate-limit.writes-per-minute", "5", "parley.rate-limit.chat-per-minute", "2");
        }
    }

    @Inject
    AgroalDataSource dataSource;

    @Test
    void the_write_after_the_budget_is_429_with_headers_and_stores_nothing() {
        String alice = newUser("alice");
        for (int i = 0; i < 5; i++) {
            as(alice).body(Map.of("title", "c" + i)).post("/api/conversations").then().statusCode(201)
                    .header("RateLimit-Limit", "5")
                    .header("RateLimit-Remaining", String.valueOf(4 - i));
        }
        as(alice).body(Map.of("title", "one too many")).post("/api/conversations").then().statusCode(429)
                .contentType("application/problem+json")
                .body("status", is(429))
                .header("Retry-After", notNullValue())
                .header("RateLimit-Limit", "5")
                .header("RateLimit-Remaining", "0")
                .header("RateLimit-Reset", notNullValue());
        as(alice).get("/api/conversations").then().statusCode(200).body("count", is(5));
        // Budgets are per user.
        as(newUser("bob")).body(Map.of("title", "mine")).post("/api/conversations").then().statusCode(201);
    }

    @Test
    void chat_has_its_own_smaller_budget() {
        String alice = newUser("alice");
        as(alice).body(Map.of("message", "hello")).post("/api/chat").then().statusCode(200);
        as(alice).body(Map.of("message", "hello")).post("/api/chat").then().statusCode(200);
        as(alice).body(Map.of("message", "hello")).post("/api/chat").then().statusCode(429)
                .header("RateLimit-Limit", "2");
        // A user message that would make the model reply spends the same budget, and stores nothing.
        String cid = createConversation(alice, "replies");
        as(alice).body(Map.of("role", "user", "content", "hi")).post("/api/conversations/{id}/messages", cid)
                .then().statusCode(429);
        as(alice).get("/api/conversations/{id}", cid).then().body("message_count", is(0));
        as(alice).body(Map.of("role", "system", "content", "no reply needed"))
                .post("/api/conversations/{id}/messages", cid).then().statusCode(201);
    }

    /**
     * Another replica is another client of the same table: a bucket manager of its own, on the same
     * database, sees and spends the same budget.
     */
    @Test
    void replicas_share_the_budget_through_the_database() {
        String alice = newUser("alice");
        as(alice).body(Map.of("title", "one")).post("/api/conversations").then().statusCode(201);
        as(alice).body(Map.of("title", "two")).post("/api/conversations").then().statusCode(201);

        PostgreSQLSelectForUpdateBasedProxyManager<String> otherReplica = Bucket4jPostgreSQL
                .selectForUpdateBasedBuilder(dataSource).primaryKeyMapper(PrimaryKeyMapper.STRING)
                .table("rate_limit_bucket").build();
        BucketConfiguration sameLimits = BucketConfiguration.builder()
                .addLimit(Bandwidth.builder().capacity(5).refillGreedy(5, Duration.ofMinutes(1)).build()).build();
        // The other replica spends for alice, so the database lets it see alice's bucket only.
        ConsumptionProbe probe = DatabaseIdentity.asUser(alice, () -> otherReplica.getProxy("writes:" + alice,
                () -> sameLimits).tryConsumeAndReturnRemaining(2));
        assertTrue(probe.isConsumed());
        assertEquals(1, probe.getRemainingTokens(), "2 spent here, 2 there, of 5");

        as(alice).body(Map.of("title", "three")).post("/api/conversations").then().statusCode(201)
                .header("RateLimit-Remaining", "0");
        as(alice).body(Map.of("title", "four")).post("/api/conversations").then().statusCode(429);
        assertFalse(DatabaseIdentity.asUser(alice,
                () -> otherReplica.getProxy("writes:" + alice, () -> sameLimits).tryConsume(1)));
        as(alice).get("/api/conversations").then().body("results.title.size()", equalTo(3));
    }
}
