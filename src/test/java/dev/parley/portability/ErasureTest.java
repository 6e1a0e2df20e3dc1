package dev.parley.portability;

import static dev.parley.support.Api.addMessage;
import static dev.parley.support.Api.as;
import static dev.parley.support.Api.createConversation;
import static dev.parley.support.Api.newUser;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.support.Db;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** DELETE /api/me, checked in the database: no row of the user is left in any table. */
@QuarkusTest
public class ErasureTest {

    /** Every user's rows, as a DBA sees them: the application's pool sees only one identity's. */
    final DataSource dataSource = Db.superuser();

    /** Rows of the user in every table with a user_id column, found in the catalog, plus rate-limit buckets. */
    private Map<String, Long> rowsOf(String user) throws SQLException {
        Map<String, Long> rows = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection()) {
            List<String> tables = new ArrayList<>();
            try (PreparedStatement catalog = c.prepareStatement("""
                    SELECT c.table_name FROM information_schema.columns c
                      JOIN information_schema.tables t USING (table_schema, table_name)
                     WHERE c.column_name = 'user_id' AND c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'""");
                    ResultSet rs = catalog.executeQuery()) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            assertTrue(tables.containsAll(List.of("conversation", "message", "idempotency_key")), tables.toString());
            for (String table : tables) {
                try (PreparedStatement count = c.prepareStatement("SELECT count(*) FROM \"" + table + "\" WHERE user_id = ?")) {
                    count.setString(1, user);
                    try (ResultSet rs = count.executeQuery()) {
                        rs.next();
                        rows.put(table, rs.getLong(1));
                    }
                }
            }
            try (PreparedStatement count = c.prepareStatement("SELECT count(*) FROM rate_limit_bucket WHERE id LIKE ?")) {
                count.setString(1, "%:" + user);
                try (ResultSet rs = count.executeQuery()) {
                    rs.next();
                    rows.put("rate_limit_bucket", rs.getLong(1));
                }
            }
        }
        return rows;
    }

    @Test
    void erasure_leaves_no_row_of_the_user_in_any_table() throws SQLException {
        String alice = newUser("alice");
        String bob = newUser("bob");
        String cid = createConversation(alice, Map.of("title", "mine", "auto_reply", false));
        addMessage(alice, cid, "user", "one");
        addMessage(alice, cid, "assistant", "two");
        as(alice).header("Idempotency-Key", "erase-me-1").body(Map.of("title", "idempotent"))
                .post("/api/conversations").then().statusCode(201);
        String bobs = createConversation(bob, Map.of("title", "bob's", "auto_reply", false));
        addMessage(bob, bobs, "user", "stays");

        Map<String, Long> before = rowsOf(alice);
        assertEquals(2L, before.get("conversation"));
        assertEquals(2L, before.get("message"));
        assertEquals(1L, before.get("idempotency_key"));
        assertTrue(before.get("rate_limit_bucket") >= 1, before.toString());

        JsonPath erased = as(alice).queryParam("confirm", alice).delete("/api/me").then().statusCode(200)
                .extract().jsonPath();

        assertEquals(alice, erased.getString("user_id"));
        assertEquals(2, erased.getInt("erased.conversation"));
        assertEquals(2, erased.getInt("erased.message"));
        assertEquals(1, erased.getInt("erased.idempotency_key"));
        assertEquals(before.get("rate_limit_bucket").intValue(), erased.getInt("erased.rate_limit_bucket"));
        rowsOf(alice).forEach((table, count) -> assertEquals(0L, count, table));
        Map<String, Long> bobsRows = rowsOf(bob);
        assertEquals(1L, bobsRows.get("conversation"));
        assertEquals(1L, bobsRows.get("message"));
        as(bob).get("/api/conversations/{id}", bobs).then().statusCode(200);
    }

    @Test
    void erasure_needs_the_callers_own_id_as_confirmation() throws SQLException {
        String alice = newUser("alice");
        createConversation(alice, "kept");
        as(alice).delete("/api/me").then().statusCode(400).contentType("application/problem+json")
                .body("errors.confirm[0]", containsString("user id"));
        as(alice).queryParam("confirm", "someone-else").delete("/api/me").then().statusCode(400);
        given().queryParam("confirm", alice).delete("/api/me").then().statusCode(401)
                .contentType("application/problem+json");
        assertEquals(1L, rowsOf(alice).get("conversation"));
    }

    private static io.restassured.specification.RequestSpecification given() {
        return io.restassured.RestAssured.given();
    }

    @Test
    void erasing_a_user_with_nothing_stored_answers_zero_counts() {
        String nobody = newUser("nobody");
        as(nobody).queryParam("confirm", nobody).delete("/api/me").then().statusCode(200)
                .body("erased.conversation", is(0)).body("erased.message", is(0));
    }
}
