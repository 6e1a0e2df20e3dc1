package dev.parley.security;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.parley.support.Api;
import dev.parley.support.Await;
import java.time.Duration;
import dev.parley.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.inject.Inject;
import java.time.Instant;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

/** The cache of verified tokens answers only for the exact token it verified, and only before exp. */
@QuarkusTest
public class VerifiedTokenCacheTest {

    @Inject
    JWTParser parser;

    @Test
    void a_verified_token_is_answered_from_the_cache() throws ParseException {
        String token = Tokens.forUser("cache-" + System.nanoTime());
        JsonWebToken first = parser.parse(token);
        assertSame(first, parser.parse(token), "the second parse is the cached verification");
    }

    @Test
    void after_exp_the_cache_no_longer_answers() throws Exception {
        String sub = "cache-exp-" + System.nanoTime();
        Instant exp = Instant.now().plusSeconds(2);
        String token = Tokens.expiringAt(sub, exp);
        JsonWebToken first = parser.parse(token);
        assertSame(first, parser.parse(token));
        // Wait for the clock to pass exp (not a fixed sleep): from then on the cache must not answer.
        Await.until(Instant::now, now -> now.getEpochSecond() > exp.getEpochSecond(), Duration.ofSeconds(10));
        // The parser itself still accepts it within its clock skew (60 s), with a fresh verification.
        JsonWebToken again = parser.parse(token);
        assertNotSame(first, again, "an expired token must not come from the cache");
        assertEquals(sub, again.getSubject());
        assertNotSame(again, parser.parse(token), "nor is an expired token put in the cache");
    }

    @Test
    void a_cached_token_with_a_changed_payload_or_signature_is_refused() throws ParseException {
        String alice = Api.newUser("alice");
        String bob = Api.newUser("bob");
        String token = Tokens.forUser(alice);
        String conversation = Api.createConversation(alice, "cached");
        given().header("Authorization", "Bearer " + token).get("/api/conversations/{id}", conversation)
                .then().statusCode(200).body("id", equalTo(conversation));

        String otherUser = Tokens.tampered(token, alice, bob);
        // A character well inside the signature carries six bits of it, unlike the last one.
        int at = token.length() - 10;
        String otherSignature = token.substring(0, at) + (token.charAt(at) == 'A' ? 'B' : 'A')
                + token.substring(at + 1);
        for (String forged : new String[] { otherUser, otherSignature }) {
            assertThrows(ParseException.class, () -> parser.parse(forged));
            given().header("Authorization", "Bearer " + forged).get("/api/conversations")
                    .then().statusCode(401).contentType("application/problem+json").body("status", is(401));
        }
        // The genuine token still works, for its own user only.
        assertEquals(alice, parser.parse(token).getSubject());
    }
}
