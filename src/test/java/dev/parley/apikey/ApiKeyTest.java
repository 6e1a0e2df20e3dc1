package dev.parley.apikey;

import static dev.parley.support.Api.as;
import static dev.parley.support.Api.createConversation;
import static dev.parley.support.Api.newUser;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.support.Await;
import dev.parley.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Personal API keys over HTTP only, so that ApiKeyIT runs the same against the packaged jar. */
@QuarkusTest
public class ApiKeyTest {

    /** A created key: its id and its secret. */
    record Key(String id, String secret) {
    }

    static Key createKey(String user, String name, List<String> scopes) {
        JsonPath created = as(user).body(Map.of("name", name, "scopes", scopes)).post("/api/keys")
                .then().statusCode(201).extract().jsonPath();
        return new Key(created.getString("id"), created.getString("key"));
    }

    static RequestSpecification withKey(String secret) {
        return given().header("X-API-Key", secret).contentType(ContentType.JSON);
    }

    static RequestSpecification withBearerKey(String secret) {
        return given().header("Authorization", "Bearer " + secret).contentType(ContentType.JSON);
    }

    @Test
    void the_key_is_shown_once_at_creation_and_lists_never_show_it() {
        String alice = newUser("alice");
        Response created = as(alice).body(Map.of("name", " nightly export ", "scopes", List.of("read", "write")))
                .post("/api/keys");
        created.then().statusCode(201)
                .header("Location", containsString("/api/keys/"))
                .body("name", equalTo("nightly export"))
                .body("scopes", equalTo(List.of("read", "write")))
                .body("created_at", notNullValue())
                .body("expires_at", nullValue());
        String secret = created.path("key");
        String id = created.path("id");
        assertTrue(secret.matches("pk_live_[0-9A-Za-z]{43}"), secret);
        assertEquals(secret.substring(0, 12), created.path("prefix"));
        assertTrue(created.header("Location").endsWith("/api/keys/" + id));

        String list = as(alice).get("/api/keys").then().statusCode(200)
                .body("id", equalTo(List.of(id)))
                .body("[0].prefix", equalTo(secret.substring(0, 12)))
                .body("[0].scopes", equalTo(List.of("read", "write")))
                .body("[0]", hasKey("last_used_at"))
                .body("[0]", not(hasKey("key")))
                .extract().asString();
        assertFalse(list.contains(secret.substring(12)), list);
        String one = as(alice).get("/api/keys/{id}", id).then().statusCode(200)
                .body("name", equalTo("nightly export"))
                .body("$", not(hasKey("key")))
                .extract().asString();
        assertFalse(one.contains(secret.substring(12)), one);
    }

    @Test
    void a_key_acts_as_its_owner_with_either_header() {
        String alice = newUser("alice");
        String conversation = createConversation(alice, "Alice's");
        Key key = createKey(alice, "script", List.of("read"));

        withKey(key.secret()).get("/api/conversations").then().statusCode(200)
                .body("results.id", equalTo(List.of(conversation)));
        withBearerKey(key.secret()).get("/api/conversations/{id}", conversation).then().statusCode(200)
                .body("title", equalTo("Alice's"));
        given().header("Authorization", "bearer " + key.secret()).get("/api/conversations").then()
                .statusCode(200).body("count", is(1));
    }

    @Test
    void each_method_and_endpoint_needs_its_scope() {
        String alice = newUser("alice");
        String quiet = createConversation(alice, Map.of("title", "quiet", "auto_reply", false));
        String chatty = createConversation(alice, "chatty");
        Key read = createKey(alice, "read", List.of("read"));
        Key write = createKey(alice, "write", List.of("write"));
        Key writeChat = createKey(alice, "write+chat", List.of("write", "chat"));
        Key chat = createKey(alice, "chat", List.of("chat"));

        withKey(read.secret()).get("/api/conversations/{id}/messages", quiet).then().statusCode(200);
        withKey(read.secret()).get("/api/search?q=x").then().statusCode(200);
        forbidden(withKey(read.secret()).body(Map.of("title", "no")).post("/api/conversations"), "write");
        forbidden(withKey(read.secret()).body(Map.of("title", "no")).patch("/api/conversations/{id}", quiet), "write");
        forbidden(withKey(read.secret()).body(Map.of("title", "no")).put("/api/conversations/{id}", quiet), "write");
        forbidden(withKey(read.secret()).delete("/api/conversations/{id}", quiet), "write");
        forbidden(withKey(read.secret()).body(Map.of("message", "hi")).post("/api/chat"), "chat");

        forbidden(withKey(write.secret()).get("/api/conversations"), "read");
        forbidden(withKey(write.secret()).get("/api/conversations/{id}", quiet), "read");
        withKey(write.secret()).body(Map.of("title", "by key")).post("/api/conversations").then().statusCode(201)
                .body("title", equalTo("by key"));
        withKey(write.secret()).body(Map.of("role", "user", "content", "no reply wanted"))
                .post("/api/conversations/{id}/messages", quiet).then().statusCode(201)
                .body("assistant_message_id", nullValue());
        // A user message where auto_reply is on makes the model work: chat is needed too, and
        // nothing is stored without it.
        forbidden(withKey(write.secret()).body(Map.of("role", "user", "content", "answer me"))
                .post("/api/conversations/{id}/messages", chatty), "chat");
        as(alice).get("/api/conversations/{id}/messages", chatty).then().statusCode(200).body("count", is(0));
        withKey(writeChat.secret()).body(Map.of("role", "user", "content", "answer me"))
                .post("/api/conversations/{id}/messages", chatty).then().statusCode(201)
                .body("assistant_message_id", notNullValue());
        // The same message as the assistant's does not make it reply: write is enough.
        withKey(write.secret()).body(Map.of("role", "assistant", "content", "noted"))
                .post("/api/conversations/{id}/messages", chatty).then().statusCode(201);

        withKey(chat.secret()).body(Map.of("message", "hello", "conversation_id", quiet)).post("/api/chat")
                .then().statusCode(200).body("conversation_id", equalTo(quiet));
        forbidden(withKey(chat.secret()).get("/api/conversations"), "read");
        forbidden(withKey(chat.secret()).body(Map.of("title", "no")).post("/api/conversations"), "write");
    }

    private static void forbidden(Response response, String scope) {
        response.then().statusCode(403)
                .contentType("application/problem+json")
                .body("status", is(403))
                .body("detail", containsString("the " + scope + " scope"))
                .body("errors.scope", equalTo(List.of("missing: " + scope)));
    }

    @Test
    void a_revoked_key_is_refused_at_once_exactly_like_a_bad_jwt() {
        String alice = newUser("alice");
        Key key = createKey(alice, "soon revoked", List.of("read"));
        withKey(key.secret()).get("/api/conversations").then().statusCode(200);

        as(alice).delete("/api/keys/{id}", key.id()).then().statusCode(204);

        Response refused = withKey(key.secret()).get("/api/conversations");
        Response badJwt = given().header("Authorization", "Bearer not-a-jwt").get("/api/conversations");
        assertSameRefusal(badJwt, refused);
        assertSameRefusal(badJwt, withBearerKey(key.secret()).get("/api/conversations"));
        assertSameRefusal(badJwt, withKey("pk_live_" + "x".repeat(43)).get("/api/conversations"));
        assertSameRefusal(badJwt, withKey("anything").get("/api/conversations"));
        as(alice).get("/api/keys/{id}", key.id()).then().statusCode(404);
        as(alice).delete("/api/keys/{id}", key.id()).then().statusCode(404);
        as(alice).get("/api/keys").then().statusCode(200).body("id", not(hasItem(key.id())));
    }

    static void assertSameRefusal(Response expected, Response actual) {
        assertEquals(401, actual.statusCode());
        assertEquals(expected.contentType(), actual.contentType());
        assertEquals(expected.header("WWW-Authenticate"), actual.header("WWW-Authenticate"));
        Map<String, Object> a = expected.jsonPath().getMap("$");
        Map<String, Object> b = actual.jsonPath().getMap("$");
        a.remove("timestamp");
        b.remove("timestamp");
        assertEquals(a, b);
    }

    @Test
    void an_expired_key_is_refused() {
        String alice = newUser("alice");
        Instant soon = Instant.now().plusSeconds(3);
        JsonPath created = as(alice).body(Map.of("name", "short", "scopes", List.of("read"), "expires_at", soon.toString()))
                .post("/api/keys").then().statusCode(201)
                .body("expires_at", notNullValue()).extract().jsonPath();
        assertEquals(soon.toEpochMilli() / 1000, Instant.parse(created.getString("expires_at")).toEpochMilli() / 1000);
        String secret = created.getString("key");
        withKey(secret).get("/api/conversations").then().statusCode(200);
        Response badJwt = given().header("Authorization", "Bearer not-a-jwt").get("/api/conversations");
        int status = Await.until(() -> withKey(secret).get("/api/conversations").statusCode(), s -> s == 401,
                Duration.ofSeconds(30));
        assertEquals(401, status);
        assertTrue(Instant.now().isAfter(soon), "refused only after expires_at");
        assertSameRefusal(badJwt, withKey(secret).get("/api/conversations"));
        // Still listed (expired keys count until revoked), so the user sees why it stopped.
        as(alice).get("/api/keys").then().body("id", hasItem(created.getString("id")));

        as(alice).body(Map.of("name", "past", "scopes", List.of("read"), "expires_at", Instant.now().minusSeconds(5).toString()))
                .post("/api/keys").then().statusCode(400).contentType("application/problem+json")
                .body("errors.expires_at", equalTo(List.of("must be in the future")));
    }

    @Test
    void another_users_key_is_404_and_their_data_stays_404_with_my_key() {
        String alice = newUser("alice");
        String bob = newUser("bob");
        String bobsConversation = createConversation(bob, "Bob's");
        Key bobsKey = createKey(bob, "bob's", List.of("read", "write"));
        Key alicesKey = createKey(alice, "alice's", List.of("read", "write", "chat"));

        as(alice).get("/api/keys/{id}", bobsKey.id()).then().statusCode(404).contentType("application/problem+json");
        as(alice).body(Map.of("name", "mine now")).patch("/api/keys/{id}", bobsKey.id()).then().statusCode(404);
        as(alice).delete("/api/keys/{id}", bobsKey.id()).then().statusCode(404);
        as(alice).get("/api/keys").then().body("id", equalTo(List.of(alicesKey.id())));
        withKey(bobsKey.secret()).get("/api/conversations/{id}", bobsConversation).then().statusCode(200);
        as(bob).get("/api/keys/{id}", bobsKey.id()).then().statusCode(200).body("name", equalTo("bob's"));

        withKey(alicesKey.secret()).get("/api/conversations/{id}", bobsConversation).then().statusCode(404);
        withKey(alicesKey.secret()).get("/api/conversations/{id}/messages", bobsConversation).then().statusCode(404);
        withKey(alicesKey.secret()).body(Map.of("title", "taken")).patch("/api/conversations/{id}", bobsConversation)
                .then().statusCode(404);
        withKey(alicesKey.secret()).delete("/api/conversations/{id}", bobsConversation).then().statusCode(404);
        withKey(alicesKey.secret()).get("/api/conversations").then().body("count", is(0));
        as(bob).get("/api/conversations/{id}", bobsConversation).then().statusCode(200).body("title", equalTo("Bob's"));
    }

    @Test
    void a_key_cannot_manage_keys() {
        String alice = newUser("alice");
        Key key = createKey(alice, "everything", List.of("read", "write", "chat"));
        for (RequestSpecification spec : List.of(withKey(key.secret()), withBearerKey(key.secret()))) {
            spec.body(Map.of("name", "minted", "scopes", List.of("read"))).post("/api/keys").then().statusCode(403)
                    .contentType("application/problem+json")
                    .body("detail", equalTo("API keys cannot manage API keys; use a bearer JWT"));
        }
        withKey(key.secret()).get("/api/keys").then().statusCode(403);
        withKey(key.secret()).get("/api/keys/{id}", key.id()).then().statusCode(403);
        withKey(key.secret()).body(Map.of("name", "x")).patch("/api/keys/{id}", key.id()).then().statusCode(403);
        withKey(key.secret()).delete("/api/keys/{id}", key.id()).then().statusCode(403);
        as(alice).get("/api/keys").then().body("id", equalTo(List.of(key.id())))
                .body("[0].name", equalTo("everything"));
    }

    @Test
    void a_key_cannot_erase_its_owners_account() {
        String alice = newUser("alice");
        String conversation = createConversation(alice, "Keep me");
        Key key = createKey(alice, "everything", List.of("read", "write", "chat"));
        withKey(key.secret()).queryParam("confirm", alice).delete("/api/me").then().statusCode(403)
                .contentType("application/problem+json")
                .body("detail", equalTo("API keys cannot erase an account; use a bearer JWT"));
        as(alice).get("/api/conversations/{id}", conversation).then().statusCode(200)
                .body("title", equalTo("Keep me"));
    }

    @Test
    void rename_changes_only_the_name() {
        String alice = newUser("alice");
        Key key = createKey(alice, "old", List.of("read"));
        as(alice).body(Map.of("name", "new", "scopes", List.of("read", "write", "chat")))
                .patch("/api/keys/{id}", key.id()).then().statusCode(200)
                .body("name", equalTo("new")).body("scopes", equalTo(List.of("read")));
        as(alice).body(Map.of("name", " ")).patch("/api/keys/{id}", key.id()).then().statusCode(400)
                .body("errors.name", equalTo(List.of("must not be blank")));
        withKey(key.secret()).get("/api/conversations").then().statusCode(200);
        as(alice).get("/api/keys/not-a-uuid").then().statusCode(400).body("errors.id", equalTo(List.of("must be a UUID")));
    }

    @Test
    void invalid_input_and_the_limits_are_clear_problems() {
        String alice = newUser("alice");
        as(alice).body(Map.of("name", "x".repeat(101), "scopes", List.of("read"))).post("/api/keys").then()
                .statusCode(400).contentType("application/problem+json")
                .body("errors.name", equalTo(List.of("must be at most 100 characters")));
        as(alice).body(Map.of("scopes", List.of("read"))).post("/api/keys").then().statusCode(400)
                .body("errors.name", equalTo(List.of("must not be blank")));
        as(alice).body(Map.of("name", "n", "scopes", List.of("admin"))).post("/api/keys").then().statusCode(400)
                .body("errors.scopes", equalTo(List.of("must be read, write or chat")));
        as(alice).body(Map.of("name", "n", "scopes", List.of())).post("/api/keys").then().statusCode(400)
                .body("errors.scopes", equalTo(List.of("must name at least one of read, write, chat")));
        as(alice).body(Map.of("name", "n")).post("/api/keys").then().statusCode(400);
        as(alice).contentType(ContentType.JSON).post("/api/keys").then().statusCode(400)
                .contentType("application/problem+json");
        for (int i = 0; i < 50; i++) {
            createKey(alice, "key " + i, List.of("read"));
        }
        as(alice).body(Map.of("name", "one too many", "scopes", List.of("read"))).post("/api/keys").then()
                .statusCode(409).contentType("application/problem+json")
                .body("detail", containsString("50"));
        as(alice).get("/api/keys").then().body("size()", is(50));
        // Per user: another user is not affected.
        createKey(newUser("bob"), "bob's first", List.of("read"));
    }

    @Test
    void last_used_at_is_recorded_at_most_once_a_minute() {
        String alice = newUser("alice");
        Key key = createKey(alice, "used", List.of("read"));
        as(alice).get("/api/keys/{id}", key.id()).then().body("last_used_at", nullValue());
        withKey(key.secret()).get("/api/conversations").then().statusCode(200);
        String first = Await.until(() -> as(alice).get("/api/keys/{id}", key.id()).path("last_used_at"),
                (String v) -> v != null, Duration.ofSeconds(30));
        for (int i = 0; i < 3; i++) {
            withKey(key.secret()).get("/api/conversations").then().statusCode(200);
        }
        as(alice).get("/api/keys/{id}", key.id()).then().body("last_used_at", equalTo(first));
        assertNotNull(Instant.parse(first));
    }

    @Test
    void the_openapi_document_offers_both_schemes_except_for_key_management() {
        JsonPath doc = given().queryParam("format", "json").get("/q/openapi").then().statusCode(200)
                .body("components.securitySchemes.apiKey.type", equalTo("apiKey"))
                .body("components.securitySchemes.apiKey.in", equalTo("header"))
                .body("components.securitySchemes.apiKey.name", equalTo("X-API-Key"))
                .body("components.securitySchemes.bearer.scheme", equalTo("bearer"))
                .extract().jsonPath();
        // Either credential on the data endpoints, each named once; a key's scopes may refuse (403).
        List<Object> either = List.of(Map.of("bearer", List.of()), Map.of("apiKey", List.of()));
        for (String path : List.of("paths['/api/conversations'].get", "paths['/api/conversations/{id}'].patch",
                "paths['/api/conversations/{conversationId}/messages'].post", "paths['/api/chat'].post",
                "paths['/api/search'].get")) {
            assertEquals(either, doc.getList(path + ".security"), path);
            assertEquals("Called with an API key whose scopes do not cover this operation",
                    doc.getString(path + ".responses.403.description"), path);
        }
        assertEquals(List.of(Map.of("bearer", List.of())), doc.getList("paths['/api/keys'].post.security"));
        assertEquals(List.of(Map.of("bearer", List.of())), doc.getList("paths['/api/keys/{id}'].delete.security"));
        assertEquals("createApiKey", doc.getString("paths['/api/keys'].post.operationId"));
        assertEquals("revokeApiKey", doc.getString("paths['/api/keys/{id}'].delete.operationId"));
    }

    @Test
    void metrics_show_the_credential_kind_and_never_a_key() {
        String alice = newUser("alice");
        Key key = createKey(alice, "metered", List.of("read"));
        withKey(key.secret()).get("/api/conversations").then().statusCode(200);
        String metrics = given().accept("text/plain").get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("http_server_requests_seconds_count")
                && l.contains("credential=\"api_key\"") && l.contains("uri=\"/api/conversations\"")), "api_key tag");
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("http_server_requests_seconds_count")
                && l.contains("credential=\"jwt\"")), "jwt tag");
        assertFalse(metrics.contains(key.secret().substring(12)), "the key is not in the metrics");
    }

    @Test
    void a_jwt_still_works_alongside() {
        String alice = newUser("alice");
        createKey(alice, "unused", List.of("read"));
        given().header("Authorization", Tokens.bearer(alice)).get("/api/conversations").then().statusCode(200);
        given().header("Authorization", "Bearer " + Tokens.expired(alice)).get("/api/conversations").then()
                .statusCode(401).body("detail", equalTo("A valid bearer token is required"));
    }
}
