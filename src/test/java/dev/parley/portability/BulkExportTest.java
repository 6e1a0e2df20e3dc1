package dev.parley.portability;

import static dev.parley.support.Api.newUser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.support.Db;
import dev.parley.support.Tokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.zip.GZIPInputStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The streamed NDJSON export of a large user, read back line by line, gzipped on the wire. */
@QuarkusTest
public class BulkExportTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Every user's rows, as a DBA sees them: the application's pool sees only one identity's. */
    final DataSource dataSource = Db.superuser();

    @TestHTTPResource("/api/export")
    URI exportUri;

    /** Ten conversations of 1 000 messages, written set-based (the API would take minutes). */
    private void insert(String user) throws Exception {
        try (Connection c = dataSource.getConnection();
                PreparedStatement conversations = c.prepareStatement("""
                        INSERT INTO conversation (id, user_id, title, message_count, last_message_at, created_at, updated_at)
                        SELECT gen_random_uuid(), ?, 'bulk ' || i, 1000, now(), now() + i * interval '1 ms', now()
                          FROM generate_series(1, 10) i""");
                PreparedStatement messages = c.prepareStatement("""
                        INSERT INTO message (id, conversation_id, user_id, role, content, created_at, updated_at)
                        SELECT gen_random_uuid(), conv.id, conv.user_id,
                               CASE WHEN i % 2 = 0 THEN 'user' ELSE 'assistant' END, 'message ' || i || ' – ✓',
                               conv.created_at + i * interval '1 ms', conv.created_at + i * interval '1 ms'
                          FROM conversation conv, generate_series(1, 1000) i
                         WHERE conv.user_id = ?""")) {
            conversations.setString(1, user);
            conversations.executeUpdate();
            messages.setString(1, user);
            assertEquals(10_000, messages.executeUpdate());
        }
    }

    @Test
    void should_stream_ten_thousand_messages_as_gzipped_ndjson() throws Exception {
        String user = newUser("bulk");
        insert(user);

        HttpResponse<InputStream> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(exportUri)
                        .header("Authorization", Tokens.bearer(user))
                        .header("Accept-Encoding", "gzip")
                        .GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());

        assertEquals(200, response.statusCode());
        assertEquals("gzip", response.headers().firstValue("Content-Encoding").orElse(null));
        assertTrue(response.headers().firstValue("Content-Disposition").orElse("").startsWith("attachment"));
        int conversations = 0;
        int messages = 0;
        Set<String> ids = new HashSet<>();
        String previousConversation = null;
        JsonNode last = null;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(response.body()), StandardCharsets.UTF_8))) {
            JsonNode header = JSON.readTree(lines.readLine());
            assertEquals("header", header.get("type").asText());
            assertEquals("parley-export", header.get("format").asText());
            assertEquals(1, header.get("version").asInt());
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                last = JSON.readTree(line);
                switch (last.get("type").asText()) {
                    case "conversation" -> {
                        conversations++;
                        previousConversation = last.get("id").asText();
                    }
                    case "message" -> {
                        messages++;
                        assertEquals(previousConversation, last.get("conversation_id").asText(),
                                "a message line follows its conversation's line");
                        assertTrue(last.get("content").asText().endsWith(" – ✓"));
                        ids.add(last.get("id").asText());
                    }
                    case "end" -> {
                    }
                    default -> throw new AssertionError("unexpected line " + line);
                }
            }
        }
        assertEquals(10, conversations);
        assertEquals(10_000, messages);
        assertEquals(10_000, ids.size());
        assertEquals("end", last.get("type").asText());
        assertEquals(10, last.get("conversations").asInt());
        assertEquals(10_000, last.get("messages").asInt());
        UUID.fromString(previousConversation);
    }

    @Test
    void without_accept_encoding_the_export_is_plain() throws Exception {
        String user = newUser("plain");
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(exportUri)
                .header("Authorization", Tokens.bearer(user)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Encoding").isEmpty());
        assertTrue(response.body().startsWith("{\"type\":\"header\",\"format\":\"parley-export\",\"version\":1"),
                response.body());
    }

    @Test
    void other_answers_are_not_compressed() throws Exception {
        HttpResponse<String> list = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        exportUri.resolve("/api/conversations")).header("Authorization", Tokens.bearer(newUser("plain")))
                .header("Accept-Encoding", "gzip").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, list.statusCode());
        assertTrue(list.headers().firstValue("Content-Encoding").isEmpty());
        assertTrue(list.body().contains("\"results\""), list.body());
    }
}
