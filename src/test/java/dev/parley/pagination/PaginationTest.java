package dev.parley.pagination;

import static dev.parley.support.Api.addMessage;
import static dev.parley.support.Api.as;
import static dev.parley.support.Api.createConversation;
import static dev.parley.support.Api.newUser;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@QuarkusTest
public class PaginationTest {

    @BeforeAll
    static void logFailures() {
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    static String quietConversation(String user) {
        return createConversation(user, Map.of("title", "paged", "auto_reply", false));
    }

    static List<String> addMessages(String user, String cid, int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(addMessage(user, cid, "user", "message " + i));
        }
        return ids;
    }

    @Test
    void page_mode_walks_every_row_once_with_links() {
        String alice = newUser("alice");
        String cid = quietConversation(alice);
        List<String> ids = addMessages(alice, cid, 7);

        JsonPath first = as(alice).queryParam("page_size", 3).get("/api/conversations/{id}/messages", cid)
                .then().statusCode(200)
                .body("count", is(7))
                .body("previous", nullValue())
                .body("next", startsWith("http"))
                .body("next_cursor", notNullValue())
                .extract().jsonPath();
        assertEquals(ids.subList(0, 3), first.getList("results.id"));

        JsonPath second = RestAssured.given().header("Authorization", dev.parley.support.Tokens.bearer(alice))
                .get(first.getString("next")).then().statusCode(200).extract().jsonPath();
        assertEquals(ids.subList(3, 6), second.getList("results.id"));
        assertNotNull(second.getString("previous"));

        JsonPath third = RestAssured.given().header("Authorization", dev.parley.support.Tokens.bearer(alice))
                .get(second.getString("next")).then().statusCode(200).extract().jsonPath();
        assertEquals(ids.subList(6, 7), third.getList("results.id"));
        assertNull(third.getString("next"));
        assertNull(third.getString("next_cursor"));

        as(alice).queryParam("page", 9).queryParam("page_size", 3).get("/api/conversations/{id}/messages", cid)
                .then().statusCode(200).body("results", empty()).body("count", is(7)).body("next", nullValue());
    }

    /**
     * A last page takes its count from its own rows (no COUNT statement); other pages count. Both
     * must give the same number, also on a page boundary and past the end.
     */
    @Test
    void counts_agree_whether_counted_or_taken_from_the_last_page() {
        String alice = newUser("alice");
        String cid = quietConversation(alice);
        addMessages(alice, cid, 6);
        addMessage(alice, cid, "system", "not a user message");
        // role=user filters, so the conversation's own counter cannot answer: 6 of 7 messages.
        for (int page = 1; page <= 3; page++) {
            as(alice).queryParam("role", "user").queryParam("page_size", 3).queryParam("page", page)
                    .get("/api/conversations/{id}/messages", cid).then().statusCode(200)
                    .body("count", is(6))
                    .body("results", hasSize(page <= 2 ? 3 : 0))
                    .body("next", page == 1 ? startsWith("http") : nullValue());
        }
        as(alice).queryParam("role", "user").queryParam("page_size", 3).queryParam("page", 3)
                .get("/api/conversations/{id}/messages", cid).then()
                .body("previous", startsWith("http")).body("previous", org.hamcrest.Matchers.containsString("page=2"));
        as(alice).queryParam("role", "user").queryParam("page_size", 10)
                .get("/api/conversations/{id}/messages", cid).then().statusCode(200)
                .body("count", is(6)).body("results", hasSize(6)).body("next", nullValue())
                .body("next_cursor", nullValue());

        String bob = newUser("bob");
        createConversation(bob, "one");
        createConversation(bob, "two");
        as(bob).get("/api/conversations").then().statusCode(200).body("count", is(2)).body("results", hasSize(2));
        as(bob).queryParam("page_size", 1).get("/api/conversations").then().statusCode(200)
                .body("count", is(2)).body("results", hasSize(1)).body("next", startsWith("http"));
        as(bob).queryParam("page_size", 1).queryParam("page", 2).get("/api/conversations").then().statusCode(200)
                .body("count", is(2)).body("results", hasSize(1)).body("next", nullValue());
    }

    @Test
    void cursor_mode_walks_every_row_once_forward_and_back() {
        String alice = newUser("alice");
        String cid = quietConversation(alice);
        List<String> ids = addMessages(alice, cid, 7);

        List<String> seen = new ArrayList<>();
        List<String> cursors = new ArrayList<>();
        String cursor = as(alice).queryParam("page_size", 2).get("/api/conversations/{id}/messages", cid)
                .then().extract().path("next_cursor");
        seen.addAll(ids.subList(0, 2));
        String previousUrl = null;
        while (cursor != null) {
            JsonPath page = as(alice).queryParam("cursor", cursor).queryParam("page_size", 2)
                    .get("/api/conversations/{id}/messages", cid).then().statusCode(200)
                    .body("count", nullValue())
                    .body("previous", notNullValue())
                    .extract().jsonPath();
            seen.addAll(page.getList("results.id"));
            cursors.add(cursor);
            previousUrl = page.getString("previous");
            cursor = page.getString("next_cursor");
        }
        assertEquals(ids, seen);

        // Back from the last page: the two rows before it.
        JsonPath back = RestAssured.given().header("Authorization", dev.parley.support.Tokens.bearer(alice))
                .get(previousUrl).then().statusCode(200).extract().jsonPath();
        assertEquals(ids.subList(4, 6), back.getList("results.id"));
        assertNotNull(back.getString("next"));
    }

    @Test
    void cursor_mode_counts_on_request_and_keeps_filters_from_the_request() {
        String alice = newUser("alice");
        String cid = quietConversation(alice);
        addMessages(alice, cid, 3);
        String system = addMessage(alice, cid, "system", "a system note");
        String cursor = as(alice).queryParam("page_size", 1).get("/api/conversations/{id}/messages", cid)
                .then().extract().path("next_cursor");
        as(alice).queryParam("cursor", cursor).queryParam("count", true).queryParam("role", "system")
                .get("/api/conversations/{id}/messages", cid).then().statusCode(200)
                .body("count", is(1))
                .body("results.id", equalTo(List.of(system)));
    }

    @Test
    void cursor_mode_stays_correct_while_rows_are_inserted() {
        String alice = newUser("alice");
        String cid = quietConversation(alice);
        List<String> ids = new ArrayList<>(addMessages(alice, cid, 6));
        Set<String> seen = new HashSet<>();
        List<String> order = new ArrayList<>();
        JsonPath page = as(alice).queryParam("page_size", 2).get("/api/conversations/{id}/messages", cid)
                .then().extract().jsonPath();
        while (true) {
            for (String id : page.<String>getList("results.id")) {
                if (!seen.add(id)) {
                    throw new AssertionError("row seen twice: " + id);
                }
                order.add(id);
            }
            String cursor = page.getString("next_cursor");
            if (cursor == null) {
                break;
            }
            if (ids.size() < 10) {
                ids.add(addMessage(alice, cid, "user", "late " + ids.size()));
            }
            page = as(alice).queryParam("cursor", cursor).queryParam("page_size", 2)
                    .get("/api/conversations/{id}/messages", cid).then().statusCode(200).extract().jsonPath();
        }
        assertEquals(ids, order);
    }

    @Test
    void conversations_page_in_both_modes() {
        String alice = newUser("alice");
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            created.add(createConversation(alice, "c" + i));
        }
        List<String> newestFirst = new ArrayList<>(created);
        java.util.Collections.reverse(newestFirst);

        List<String> viaPages = new ArrayList<>();
        for (int p = 1; p <= 3; p++) {
            viaPages.addAll(as(alice).queryParam("page", p).queryParam("page_size", 2).get("/api/conversations")
                    .then().statusCode(200).body("count", is(5)).extract().jsonPath().<String>getList("results.id"));
        }
        assertEquals(newestFirst, viaPages);

        List<String> viaCursor = new ArrayList<>();
        JsonPath page = as(alice).queryParam("page_size", 2).get("/api/conversations").then().extract().jsonPath();
        viaCursor.addAll(page.getList("results.id"));
        while (page.getString("next_cursor") != null) {
            page = as(alice).queryParam("cursor", page.getString("next_cursor")).queryParam("page_size", 2)
                    .get("/api/conversations").then().statusCode(200).extract().jsonPath();
            viaCursor.addAll(page.getList("results.id"));
        }
        assertEquals(newestFirst, viaCursor);
    }

    @Test
    void bad_paging_parameters_get_400_naming_the_parameter() {
        String alice = newUser("alice");
        String cid = quietConversation(alice);
        String url = "/api/conversations/" + cid + "/messages";
        as(alice).queryParam("page", 0).get(url).then().statusCode(400)
                .contentType("application/problem+json").body("errors.page", hasSize(1));
        as(alice).queryParam("page_size", 101).get(url).then().statusCode(400).body("errors.page_size", hasSize(1));
        as(alice).queryParam("page_size", 0).get("/api/conversations").then().statusCode(400)
                .body("errors.page_size", hasSize(1));
        as(alice).queryParam("page", "two").get(url).then().statusCode(400)
                .body("errors.page[0]", equalTo("must be a whole number"));
        as(alice).queryParam("page", "99999999999999").get(url).then().statusCode(400);
        as(alice).queryParam("cursor", "garbage").get(url).then().statusCode(400)
                .body("errors.cursor[0]", equalTo("is not a valid cursor"));
        as(alice).queryParam("archived", "maybe").get("/api/conversations").then().statusCode(400)
                .body("errors.archived", hasSize(1));
    }

    @Test
    void tampered_or_foreign_cursors_get_400() {
        String alice = newUser("alice");
        String cid = quietConversation(alice);
        addMessages(alice, cid, 3);
        String cursor = as(alice).queryParam("page_size", 1).get("/api/conversations/{id}/messages", cid)
                .then().extract().path("next_cursor");
        int at = cursor.indexOf('.') + 3;
        String tampered = cursor.substring(0, at) + (cursor.charAt(at) == 'A' ? 'B' : 'A') + cursor.substring(at + 1);
        char last = cursor.charAt(cursor.length() - 1);
        String sloppy = cursor.substring(0, cursor.length() - 1) + (last == 'A' ? 'B' : 'A');
        as(alice).queryParam("cursor", sloppy).get("/api/conversations/{id}/messages", cid).then()
                .statusCode(400).body("errors.cursor", hasSize(1));
        as(alice).queryParam("cursor", tampered).get("/api/conversations/{id}/messages", cid).then()
                .statusCode(400).body("errors.cursor", hasSize(1));
        String body = cursor.substring(0, cursor.indexOf('.'));
        String forged = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                new String(java.util.Base64.getUrlDecoder().decode(body)).replace("|f|", "|b|").getBytes())
                + cursor.substring(cursor.indexOf('.'));
        as(alice).queryParam("cursor", forged).get("/api/conversations/{id}/messages", cid).then()
                .statusCode(400);
        // A message cursor is not a conversation cursor.
        as(alice).queryParam("cursor", cursor).get("/api/conversations").then().statusCode(400);
    }
}
