package dev.parley.portability;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
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

    private static final String CONVERSATION_COLUMNS = """
            id, title, description, archived, pinned, auto_reply, metadata::text, message_count,
            last_message_at, created_at, updated_at, expires_at""";

    private static final String MESSAGES = """
            SELECT id, conversation_id, role, content, status, parent_id, thread_id, endpoint, model,
                   tool_calls::text, metadata::text, created_at, updated_at
              FROM message WHERE conversation_id = ? AND user_id = ? ORDER BY created_at, id""";

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
                StringBuilder sql = new StringBuilder("SELECT " + CONVERSATION_COLUMNS
                        + " FROM conversation WHERE user_id = ?");
                if (filter.since() != null) {
                    sql.append(" AND updated_at >= ?");
                }
                if (filter.archived() != null) {
                    sql.append(" AND archived = ?");
                }
                sql.append(" ORDER BY created_at, id");
                long conversations = 0;
                long messages = 0;
                try (PreparedStatement select = connection.prepareStatement(sql.toString());
                        PreparedStatement messageSelect = connection.prepareStatement(MESSAGES)) {
                    int i = 1;
                    select.setString(i++, owner);
                    if (filter.since() != null) {
                        select.setTimestamp(i++, Timestamp.from(filter.since()));
                    }
                    if (filter.archived() != null) {
                        select.setBoolean(i, filter.archived());
                    }
                    select.setFetchSize(FETCH_SIZE);
                    try (ResultSet rs = select.executeQuery()) {
                        while (rs.next()) {
                            UUID id = rs.getObject(1, UUID.class);
                            json.writeStartObject();
                            json.writeStringField("type", "conversation");
                            writeConversation(json, rs);
                            json.writeEndObject();
                            json.writeRaw('\n');
                            conversations++;
                            messages += writeMessages(json, messageSelect, id, owner, true);
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
                try (PreparedStatement select = connection.prepareStatement("SELECT " + CONVERSATION_COLUMNS
                        + " FROM conversation WHERE id = ? AND user_id = ?");
                        PreparedStatement messageSelect = connection.prepareStatement(MESSAGES)) {
                    select.setObject(1, conversationId);
                    select.setString(2, owner);
                    try (ResultSet rs = select.executeQuery()) {
                        while (rs.next()) {
                            json.writeStartObject();
                            writeConversation(json, rs);
                            json.writeArrayFieldStart("messages");
                            writeMessages(json, messageSelect, conversationId, owner, false);
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
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT title, description FROM conversation WHERE id = ? AND user_id = ?");
                    PreparedStatement messageSelect = connection.prepareStatement(MESSAGES)) {
                select.setObject(1, conversationId);
                select.setString(2, owner);
                try (ResultSet rs = select.executeQuery()) {
                    if (!rs.next()) {
                        return null;
                    }
                    text.write("# " + rs.getString(1) + "\n\n");
                    if (rs.getString(2) != null && !rs.getString(2).isBlank()) {
                        text.write("_" + rs.getString(2) + "_\n\n");
                    }
                }
                forEachMessage(messageSelect, conversationId, owner, rs -> {
                    String status = rs.getString(5);
                    text.write("**" + rs.getString(3) + "**"
                            + ("complete".equals(status) ? "" : " (" + status + ")") + "\n\n");
                    String content = rs.getString(4);
                    text.write(content.isEmpty() ? "_(no text)_" : content);
                    text.write("\n\n");
                });
            }
            return null;
        });
        text.flush();
    }

    private long writeMessages(JsonGenerator json, PreparedStatement select, UUID conversationId, String owner,
            boolean asLines) throws SQLException, IOException {
        return forEachMessage(select, conversationId, owner, rs -> {
            json.writeStartObject();
            if (asLines) {
                json.writeStringField("type", "message");
            }
            json.writeStringField("id", rs.getString(1));
            json.writeStringField("conversation_id", rs.getString(2));
            json.writeStringField("role", rs.getString(3));
            json.writeStringField("content", rs.getString(4));
            json.writeStringField("status", rs.getString(5));
            json.writeStringField("parent_id", rs.getString(6));
            json.writeStringField("thread_id", rs.getString(7));
            json.writeStringField("endpoint", rs.getString(8));
            json.writeStringField("model", rs.getString(9));
            json.writeFieldName("tool_calls");
            json.writeRawValue(rs.getString(10));
            json.writeFieldName("metadata");
            json.writeRawValue(rs.getString(11));
            writeInstant(json, "created_at", rs, 12);
            writeInstant(json, "updated_at", rs, 13);
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

    /** Hands each message of the conversation ({@link #MESSAGES}, oldest first) to {@code writer}; their count. */
    private static long forEachMessage(PreparedStatement select, UUID conversationId, String owner, RowWriter writer)
            throws SQLException, IOException {
        select.setObject(1, conversationId);
        select.setString(2, owner);
        select.setFetchSize(FETCH_SIZE);
        long count = 0;
        try (ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                writer.write(rs);
                count++;
            }
        }
        return count;
    }

    private static void writeConversation(JsonGenerator json, ResultSet rs) throws SQLException, IOException {
        json.writeStringField("id", rs.getString(1));
        json.writeStringField("title", rs.getString(2));
        json.writeStringField("description", rs.getString(3));
        json.writeBooleanField("archived", rs.getBoolean(4));
        json.writeBooleanField("pinned", rs.getBoolean(5));
        json.writeBooleanField("auto_reply", rs.getBoolean(6));
        json.writeFieldName("metadata");
        json.writeRawValue(rs.getString(7));
        json.writeNumberField("message_count", rs.getInt(8));
        writeInstant(json, "last_message_at", rs, 9);
        writeInstant(json, "created_at", rs, 10);
        writeInstant(json, "updated_at", rs, 11);
        writeInstant(json, "expires_at", rs, 12);
    }

    private static void writeInstant(JsonGenerator json, String field, ResultSet rs, int column)
            throws SQLException, IOException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
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
