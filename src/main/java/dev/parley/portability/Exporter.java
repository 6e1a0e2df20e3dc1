package dev.parley.portability;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.conversation.Conversation;
import dev.parley.message.Message;
import dev.parley.security.DatabaseIdentity;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * Writes a user's conversations straight from database cursors to the response, a row at a time:
 * memory stays flat whatever the size of the export. One read-only REPEATABLE READ transaction per
 * export gives a consistent snapshot (a message added meanwhile is either wholly in or out).
 *
 * <p>Line format of the NDJSON export (one JSON object per line, UTF-8):
 * <ol>
 * <li>{@code {"type":"header","format":"parley-export","version":1,"exported_at":…,"since":…,"archived":…}}</li>
 * <li>for each conversation (oldest first): {@code {"type":"conversation", id, title, …}}, then one
 * {@code {"type":"message", id, conversation_id, role, …}} per message, oldest first;</li>
 * <li>{@code {"type":"end","conversations":n,"messages":m}}: a file without it was cut short.</li>
 * </ol>
 * Fields are named as in the API (snake_case), every column included.
 */
@ApplicationScoped
public class Exporter {

    public static final String FORMAT = "parley-export";
    public static final int VERSION = 1;

    /** Rows fetched per round trip: enough to amortize it, small enough to keep memory flat. */
    private static final int FETCH_SIZE = 500;

    @Inject
    AgroalDataSource dataSource;

    /**
     * Whether the client takes gzip (Accept-Encoding names it with a non-zero q). The export gzips
     * itself rather than turning on the HTTP server's compression, which would compress every answer.
     */
    public static boolean acceptsGzip(String acceptEncoding) {
        if (acceptEncoding == null) {
            return false;
        }
        for (String coding : acceptEncoding.split(",")) {
            String[] parts = coding.trim().split(";");
            if (parts[0].trim().equalsIgnoreCase("gzip")) {
                return parts.length < 2 || !parts[1].replace(" ", "").matches("q=0(\\.0*)?");
            }
        }
        return false;
    }

    /** Writes through gzip when asked to; the compressed stream is finished, not closed. */
    public static void write(OutputStream out, boolean gzip, StreamWork work) throws IOException {
        if (!gzip) {
            work.write(out);
            return;
        }
        java.util.zip.GZIPOutputStream zipped = new java.util.zip.GZIPOutputStream(out, 8192);
        work.write(zipped);
        zipped.finish();
    }

    @FunctionalInterface
    public interface StreamWork {
        void write(OutputStream out) throws IOException;
    }

    @Inject
    ObjectMapper mapper;

    /** What the all-data export includes: conversations changed since an instant, archived or not. */
    public record Filter(Instant since, Boolean archived) {
    }

    /** Counts of what an export wrote. */
    public record Written(long conversations, long messages) {
    }

    public Written ndjson(String owner, Filter filter, OutputStream out) throws IOException {
        try (JsonGenerator json = generator(out)) {
            json.writeStartObject();
            json.writeStringField("type", "header");
            json.writeStringField("format", FORMAT);
            json.writeNumberField("version", VERSION);
            json.writeStringField("exported_at", Instant.now().toString());
            json.writeStringField("since", filter.since() == null ? null : filter.since().toString());
            if (filter.archived() == null) {
                json.writeNullField("archived");
            } else {
                json.writeBooleanField("archived", filter.archived());
            }
            json.writeEndObject();
            json.writeRaw('\n');
            Written written = inSnapshot(owner, connection -> {
                long conversations = 0;
                long messages = 0;
                try (PreparedStatement select = Conversation.exportQuery(connection, owner, filter.since(),
                        filter.archived())) {
                    select.setFetchSize(FETCH_SIZE);
                    try (ResultSet rs = select.executeQuery()) {
                        while (rs.next()) {
                            UUID id = rs.getObject("id", UUID.class);
                            json.writeStartObject();
                            json.writeStringField("type", "conversation");
                            writeConversation(json, rs);
                            json.writeEndObject();
                            json.writeRaw('\n');
                            conversations++;
                            messages += writeMessages(json, connection, id, owner, true);
                        }
                    }
                }
                return new Written(conversations, messages);
            });
            json.writeStartObject();
            json.writeStringField("type", "end");
            json.writeNumberField("conversations", written.conversations());
            json.writeNumberField("messages", written.messages());
            json.writeEndObject();
            json.writeRaw('\n');
            return written;
        }
    }

    /**
     * One conversation as a JSON document: {@code {"format", "version", "exported_at",
     * "conversations": [{…, "messages": […]}]}}; the import's parley format reads it back.
     */
    public void json(String owner, UUID conversationId, OutputStream out) throws IOException {
        try (JsonGenerator json = generator(out)) {
            json.writeStartObject();
            json.writeStringField("format", FORMAT);
            json.writeNumberField("version", VERSION);
            json.writeStringField("exported_at", Instant.now().toString());
            json.writeArrayFieldStart("conversations");
            inSnapshot(owner, connection -> {
                try (PreparedStatement select = Conversation.exportQuery(connection, owner, conversationId)) {
                    try (ResultSet rs = select.executeQuery()) {
                        while (rs.next()) {
                            json.writeStartObject();
                            writeConversation(json, rs);
                            json.writeArrayFieldStart("messages");
                            writeMessages(json, connection, conversationId, owner, false);
                            json.writeEndArray();
                            json.writeEndObject();
                        }
                    }
                }
                return null;
            });
            json.writeEndArray();
            json.writeEndObject();
        }
    }

    /** A readable transcript: the title, then each message as a bold role and its text. */
    public void markdown(String owner, UUID conversationId, OutputStream out) throws IOException {
        Writer text = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        inSnapshot(owner, connection -> {
            try (PreparedStatement select = Conversation.exportQuery(connection, owner, conversationId)) {
                try (ResultSet rs = select.executeQuery()) {
                    if (!rs.next()) {
                        return null;
                    }
                    text.write("# " + rs.getString("title") + "\n\n");
                    String description = rs.getString("description");
                    if (description != null && !description.isBlank()) {
                        text.write("_" + description + "_\n\n");
                    }
                }
            }
            forEachMessage(connection, conversationId, owner, rs -> {
                String status = rs.getString("status");
                text.write("**" + rs.getString("role") + "**"
                        + ("complete".equals(status) ? "" : " (" + status + ")") + "\n\n");
                String content = rs.getString("content");
                text.write(content.isEmpty() ? "_(no text)_" : content);
                text.write("\n\n");
            });
            return null;
        });
        text.flush();
    }

    private long writeMessages(JsonGenerator json, Connection connection, UUID conversationId, String owner,
            boolean asLines) throws SQLException, IOException {
        return forEachMessage(connection, conversationId, owner, rs -> {
            json.writeStartObject();
            if (asLines) {
                json.writeStringField("type", "message");
            }
            for (String field : List.of("id", "conversation_id", "role", "content", "status", "parent_id", "thread_id",
                    "endpoint", "model")) {
                json.writeStringField(field, rs.getString(field));
            }
            json.writeFieldName("tool_calls");
            json.writeRawValue(rs.getString("tool_calls"));
            json.writeFieldName("metadata");
            json.writeRawValue(rs.getString("metadata"));
            writeInstant(json, "created_at", rs);
            writeInstant(json, "updated_at", rs);
            json.writeEndObject();
            if (asLines) {
                json.writeRaw('\n');
            }
        });
    }

    @FunctionalInterface
    private interface RowWriter {
        void write(ResultSet row) throws SQLException, IOException;
    }

    /**
     * Hands each message of the conversation ({@link Message#exportQuery}, oldest first) to
     * {@code writer}; their count. The statement is prepared per conversation: the driver keeps
     * the parsed statement on the connection, so it costs no extra round trip.
     */
    private static long forEachMessage(Connection connection, UUID conversationId, String owner, RowWriter writer)
            throws SQLException, IOException {
        long count = 0;
        try (PreparedStatement select = Message.exportQuery(connection, conversationId, owner)) {
            select.setFetchSize(FETCH_SIZE);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    writer.write(rs);
                    count++;
                }
            }
        }
        return count;
    }

    private static void writeConversation(JsonGenerator json, ResultSet rs) throws SQLException, IOException {
        json.writeStringField("id", rs.getString("id"));
        json.writeStringField("title", rs.getString("title"));
        json.writeStringField("description", rs.getString("description"));
        json.writeBooleanField("archived", rs.getBoolean("archived"));
        json.writeBooleanField("pinned", rs.getBoolean("pinned"));
        json.writeBooleanField("auto_reply", rs.getBoolean("auto_reply"));
        json.writeFieldName("metadata");
        json.writeRawValue(rs.getString("metadata"));
        json.writeNumberField("message_count", rs.getInt("message_count"));
        writeInstant(json, "last_message_at", rs);
        writeInstant(json, "created_at", rs);
        writeInstant(json, "updated_at", rs);
        writeInstant(json, "expires_at", rs);
    }

    /** The column named as the field, as an ISO instant. */
    private static void writeInstant(JsonGenerator json, String field, ResultSet rs) throws SQLException, IOException {
        OffsetDateTime value = rs.getObject(field, OffsetDateTime.class);
        json.writeStringField(field, value == null ? null : value.toInstant().toString());
    }

    private JsonGenerator generator(OutputStream out) throws IOException {
        JsonGenerator json = mapper.getFactory().createGenerator(out);
        json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        // Lines are separated by the '\n' written after each object, not by the default space.
        json.setRootValueSeparator(null);
        return json;
    }

    private Connection connection() {
        try {
            return dataSource.getConnection();
        } catch (SQLException e) {
            throw new IllegalStateException("No database connection", e);
        }
    }

    @FunctionalInterface
    interface SnapshotWork<T> {
        T run(Connection connection) throws SQLException, IOException;
    }

    /**
     * Runs the reads in one read-only snapshot on a connection of its own (not a JTA transaction:
     * an export of a million messages outlives any sensible transaction timeout, and holds no lock).
     * The connection is the caller's, as every connection of a request (see RowSecurity).
     */
    private <T> T inSnapshot(String owner, SnapshotWork<T> work) throws IOException {
        // The connection sees only the owner's rows (row-level security), whichever thread streams.
        try (Connection connection = DatabaseIdentity.asUser(owner, this::connection)) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                try (PreparedStatement begin = connection.prepareStatement(
                        "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")) {
                    begin.execute();
                }
                return work.run(connection);
            } finally {
                connection.rollback();
                connection.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            // The answer has started: the client sees a cut stream (no end line), never a half-truth.
            throw new IOException("Export failed", e);
        }
    }
}
