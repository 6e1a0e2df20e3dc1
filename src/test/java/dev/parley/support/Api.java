package dev.parley.support;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.util.Map;
import java.util.UUID;

/** Request helpers that read as the API does: every call is made as a named user. */
public final class Api {

    private Api() {
    }

    public static RequestSpecification as(String user) {
        return given().header("Authorization", Tokens.bearer(user)).contentType(ContentType.JSON);
    }

    /** A fresh user name per test, so tests never see each other's data and need no order. */
    public static String newUser(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    public static String createConversation(String user, Map<String, ?> body) {
        return as(user).body(body).post("/api/conversations").then().statusCode(201).extract().path("id");
    }

    public static String createConversation(String user, String title) {
        return createConversation(user, Map.of("title", title));
    }

    public static String addMessage(String user, String conversationId, Map<String, ?> body) {
        return as(user).body(body).post("/api/conversations/{id}/messages", conversationId)
                .then().statusCode(201).extract().path("id");
    }

    public static String addMessage(String user, String conversationId, String role, String content) {
        return addMessage(user, conversationId, Map.of("role", role, "content", content));
    }
}
