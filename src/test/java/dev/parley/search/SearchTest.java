package dev.parley.search;

import static dev.parley.support.Api.addMessage;
import static dev.parley.support.Api.as;
import static dev.parley.support.Api.createConversation;
import static dev.parley.support.Api.newUser;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@QuarkusTest
public class SearchTest {

    @BeforeAll
    static void logFailures() {
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    static String quiet(String user, String title) {
        return createConversation(user, Map.of("title", title, "auto_reply", false));
    }

    @Test
    void more_matches_rank_higher_and_ties_go_to_the_newer_message() {
        String alice = newUser("alice");
        String cid = quiet(alice, "Portugal trip");
        String once = addMessage(alice, cid, "user", "Lisbon in spring");
        String thrice = addMessage(alice, cid, "user", "Lisbon, Lisbon and more Lisbon");
        String onceNewer = addMessage(alice, cid, "user", "Lisbon in spring");
        addMessage(alice, cid, "user", "Porto in autumn");

        as(alice).queryParam("q", "lisbon").get("/api/search").then().statusCode(200)
                .body("count", is(3))
                .body("results.message.id", equalTo(List.of(thrice, onceNewer, once)))
                .body("results[0].conversation_id", equalTo(cid))
                .body("results[0].conversation_title", equalTo("Portugal trip"))
                .body("results[0].message.role", equalTo("user"));
        JsonPath page = as(alice).queryParam("q", "lisbon").get("/api/search").then().extract().jsonPath();
        assertTrue(page.getFloat("results[0].rank") > page.getFloat("results[1].rank"));
    }

    @Test
    void snippets_mark_the_matched_terms_and_escape_html() {
        String alice = newUser("alice");
        String cid = quiet(alice, "hotels");
        addMessage(alice, cid, "user", "Find a <b>cheap</b> hotel near the river & the castle");
        as(alice).queryParam("q", "hotels").get("/api/search").then().statusCode(200)
                .body("results", hasSize(1))
                .body("results[0].snippet", containsString("<mark>hotel</mark>"))
                .body("results[0].snippet", containsString("&lt;b&gt;"))
                .body("results[0].snippet", not(containsString("<b>")));
    }

    @Test
    void another_users_messages_never_appear() {
        String alice = newUser("alice");
        String bob = newUser("bob");
        addMessage(bob, quiet(bob, "bob"), "user", "the secret password is swordfish");
        String mine = addMessage(alice, quiet(alice, "alice"), "user", "I like swordfish steaks");

        as(alice).queryParam("q", "swordfish").get("/api/search").then()
                .body("count", is(1))
                .body("results.message.id", equalTo(List.of(mine)));
        as(alice).queryParam("q", "password").get("/api/search").then().body("results", empty());
    }

    @Test
    void messages_of_deleted_conversations_disappear() {
        String alice = newUser("alice");
        String cid = quiet(alice, "doomed");
        addMessage(alice, cid, "user", "ephemeral zeppelin");
        as(alice).queryParam("q", "zeppelin").get("/api/search").then().body("results", hasSize(1));
        as(alice).delete("/api/conversations/{id}", cid).then().statusCode(204);
        as(alice).queryParam("q", "zeppelin").get("/api/search").then().body("results", empty());
    }

    @Test
    void special_characters_and_operators_never_fail() {
        String alice = newUser("alice");
        addMessage(alice, quiet(alice, "x"), "user", "cats and dogs");
        for (String q : List.of("\"unterminated", "a & b | !c", "<script>", "'; drop table message; --", "%_\\",
                "cats:*", "(((", "-", "OR", "\"cats dogs\"", "cats -dogs", "日本語", "the")) {
            as(alice).queryParam("q", q).get("/api/search").then().statusCode(200)
                    .contentType("application/json");
        }
        as(alice).queryParam("q", "cats OR birds").get("/api/search").then().body("results", hasSize(1));
        as(alice).queryParam("q", "cats -dogs").get("/api/search").then().body("results", empty());
    }

    @Test
    void phrases_prefixes_and_operators_find_what_they_say() {
        String alice = newUser("alice");
        String cid = quiet(alice, "ops");
        String both = addMessage(alice, cid, "user", "cats and dogs");
        String reversed = addMessage(alice, cid, "user", "dogs chase cats");
        String birds = addMessage(alice, cid, "user", "birds sing");
        // A quoted phrase needs the words adjacent and in order.
        as(alice).queryParam("q", "\"cats and dogs\"").get("/api/search").then().statusCode(200)
                .body("results.message.id", equalTo(List.of(both)))
                .body("results[0].snippet", equalTo("<mark>cats</mark> and <mark>dogs</mark>"))
                .body("results[0].message.user_id", equalTo(alice));
        // -word excludes, OR widens; stemming makes "chasing" find "chase".
        as(alice).queryParam("q", "dogs -chase").get("/api/search").then()
                .body("results.message.id", equalTo(List.of(both)));
        as(alice).queryParam("q", "birds OR chasing").get("/api/search").then()
                .body("results.message.id", containsInAnyOrder(reversed, birds)).body("count", is(2));
        // Operators of to_tsquery are plain text here: "cats:*" is the word cats, not a prefix query.
        as(alice).queryParam("q", "cat:*").get("/api/search").then()
                .body("results.message.id", containsInAnyOrder(both, reversed));
        as(alice).queryParam("q", "ca:*").get("/api/search").then().body("results", empty());
        // Markup in the text comes back escaped; only <mark> is markup.
        String html = addMessage(alice, cid, "user", "<b>bold</b> birds & more");
        as(alice).queryParam("q", "bold").get("/api/search").then()
                .body("results.message.id", equalTo(List.of(html)))
                .body("results[0].snippet", equalTo("<mark>bold</mark>&lt;/b&gt; birds &amp; more"));
    }

    @Test
    void a_missing_or_blank_query_is_400() {
        String alice = newUser("alice");
        as(alice).get("/api/search").then().statusCode(400).contentType("application/problem+json")
                .body("errors.q[0]", equalTo("must not be blank"));
        as(alice).queryParam("q", "  ").get("/api/search").then().statusCode(400)
                .body("errors.q", hasSize(1));
        as(alice).queryParam("q", "x").queryParam("page_size", 0).get("/api/search").then().statusCode(400)
                .body("errors.page_size", hasSize(1));
        as(alice).queryParam("q", "x").queryParam("cursor", "junk").get("/api/search").then().statusCode(400);
        RestAssured.given().queryParam("q", "x").get("/api/search").then().statusCode(401);
    }

    @Test
    void pages_and_cursors_walk_every_match_once() {
        String alice = newUser("alice");
        String cid = quiet(alice, "many");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            ids.add(addMessage(alice, cid, "user", "kiwi " + "kiwi ".repeat(i % 3) + "number " + i));
        }
        List<String> viaPages = new ArrayList<>();
        // Pages 1 and 2 are counted, page 3 (the last) counts its own hits, page 4 is past the end.
        for (int p = 1; p <= 4; p++) {
            viaPages.addAll(as(alice).queryParam("q", "kiwi").queryParam("page", p).queryParam("page_size", 3)
                    .get("/api/search").then().statusCode(200).body("count", is(7))
                    .body("results", org.hamcrest.Matchers.hasSize(p < 3 ? 3 : p == 3 ? 1 : 0))
                    .body("next", p < 3 ? org.hamcrest.Matchers.startsWith("http") : org.hamcrest.Matchers.nullValue())
                    .extract().jsonPath().<String>getList("results.message.id"));
        }
        assertEquals(7, new HashSet<>(viaPages).size());
        assertEquals(new HashSet<>(ids), new HashSet<>(viaPages));

        List<String> viaCursor = new ArrayList<>();
        JsonPath page = as(alice).queryParam("q", "kiwi").queryParam("page_size", 2).get("/api/search")
                .then().extract().jsonPath();
        viaCursor.addAll(page.getList("results.message.id"));
        while (page.getString("next_cursor") != null) {
            page = as(alice).queryParam("q", "kiwi").queryParam("page_size", 2)
                    .queryParam("cursor", page.getString("next_cursor")).get("/api/search")
                    .then().statusCode(200).extract().jsonPath();
            viaCursor.addAll(page.getList("results.message.id"));
        }
        assertEquals(viaPages, viaCursor);
    }

    /** Search pages with the lists' engine: past the end, previous leads to the last page that has hits. */
    @Test
    void previous_past_the_end_leads_to_the_last_page_like_every_list() {
        String alice = newUser("alice");
        String cid = quiet(alice, "few");
        for (int i = 0; i < 4; i++) {
            addMessage(alice, cid, "user", "quince number " + i);
        }
        as(alice).queryParam("q", "quince").queryParam("page", 9).queryParam("page_size", 3).get("/api/search")
                .then().statusCode(200).body("count", is(4)).body("results", org.hamcrest.Matchers.hasSize(0))
                .body("previous", org.hamcrest.Matchers.containsString("page=2"))
                .body("previous", org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString("page=8")));
        as(alice).queryParam("q", "quince").queryParam("page", 2).queryParam("page_size", 3).get("/api/search")
                .then().statusCode(200).body("results", org.hamcrest.Matchers.hasSize(1))
                .body("previous", org.hamcrest.Matchers.containsString("page=1"));
    }
}
