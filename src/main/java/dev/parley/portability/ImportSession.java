package dev.parley.portability;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.common.Ids;
import dev.parley.common.InputChecks;
import dev.parley.common.Limits;
import dev.parley.conversation.Conversation;
import dev.parley.error.ProblemException;
import dev.parley.message.Message;
import dev.parley.message.MessageStatus;
import dev.parley.message.Role;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Stores the conversations of one import, each in a transaction of its own (all of it or none of
 * it), on one connection held for the whole file. Messages are staged in a temporary table as they
 * are read and moved in by one INSERT … SELECT ({@link Message#insertImported}) over {@link #STAGED},
 * which turns source parent ids into the new ids, so a conversation of any length is stored without
 * keeping it in memory.
 *
 * <p>Nothing here fires a reply: imported messages are history, and an imported pending reply is
 * stored as failed (no worker would ever have finished it).
 */
final class ImportSession implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ImportSession.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BATCH = 500;
    private static final int MAX_PROBLEMS = 1000;
    private static final TypeReference<List<Object>> LIST = new TypeReference<>() { };
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() { };

    static final String IMPORTED_FROM = "imported_from";
    static final String IMPORTED_ID = "imported_id";
    static final String CURRENT_MESSAGE = "current_message_id";

    /** The staged messages as message rows: each parent's source id turned into its new id. */
    private static final String STAGED = """
            SELECT s.id, s.role, s.content, s.status, p.id AS parent_id, s.thread_id, s.endpoint, s.model,
                   s.tool_calls, s.metadata, s.created_at, s.updated_at
              FROM import_staging s LEFT JOIN import_staging p ON p.source_id = s.parent_source""";

    private final Connection connection;
    private final String owner;
    private final String format;
    private final InputChecks checks;
    private final Limits limits;
    private final List<ImportResult.Item> items = new ArrayList<>();
    private final List<ImportResult.ImportProblem> problems = new ArrayList<>();
    private int problemsLeftOut;
    private int messagesImported;
    private int conversationsImported;
    private int alreadyImported;

    // The conversation being stored, if any.
    private ImportedConversation open;
    private UUID openId;
    private String openTitle;
    private PreparedStatement staging;
    private int staged;
    private int pendingInBatch;
    private Instant lastMessageAt;
    private String currentSourceId;
    private UUID currentId;
    private boolean skipping;

    ImportSession(Connection connection, String owner, String format, InputChecks checks, Limits limits)
            throws SQLException {
        this.connection = connection;
        this.owner = owner;
        this.format = format;
        this.checks = checks;
        this.limits = limits;
        connection.setAutoCommit(false);
        try (Statement ddl = connection.createStatement()) {
            ddl.execute("""
                    CREATE TEMPORARY TABLE IF NOT EXISTS import_staging (
                        id            uuid NOT NULL,
                        source_id     text,
                        parent_source text,
                        role          varchar(16),
                        content       text,
                        status        varchar(16),
                        thread_id     varchar(255),
                        endpoint      varchar(100),
                        model         varchar(255),
                        tool_calls    jsonb,
                        metadata      jsonb,
                        created_at    timestamptz,
                        updated_at    timestamptz
                    ) ON COMMIT DELETE ROWS""");
        }
        connection.commit();
    }

    /** A whole conversation already read (the tree formats). */
    void store(ImportedConversation conversation, Branches.Resolved resolved) {
        if (!begin(conversation)) {
            return;
        }
        currentSourceId = resolved.currentSourceId();
        for (ImportedMessage message : resolved.messages()) {
            if (!add(message)) {
                return;
            }
        }
        end();
    }

    /**
     * Opens a conversation; false when it is skipped (already imported, or not storable), in which
     * case its messages are ignored until the next begin.
     */
    boolean begin(ImportedConversation conversation) {
        if (open != null) {
            end();
        }
        skipping = true;
        if (conversation.sourceId() == null || conversation.sourceId().isBlank()) {
            problem(null, "skipped a conversation without an id");
            return false;
        }
        String refused = refusal(conversation);
        if (refused != null) {
            problem(conversation.sourceId(), refused + "; the conversation was not imported");
            return false;
        }
        Map<String, String> metadata = new LinkedHashMap<>(conversation.metadata());
        // A conversation that came from elsewhere before keeps its first source, so that importing
        // a Parley export of it still matches an import of the original file.
        metadata.putIfAbsent(IMPORTED_FROM, format);
        metadata.putIfAbsent(IMPORTED_ID, conversation.sourceId());
        try {
            try (PreparedStatement lock = connection.prepareStatement(
                    "SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")) {
                lock.setString(1, owner + "\n" + metadata.get(IMPORTED_FROM) + "\n" + metadata.get(IMPORTED_ID));
                lock.execute();
            }
            Optional<Conversation.Imported> existing = Conversation.findImported(connection, owner,
                    metadata.get(IMPORTED_FROM), metadata.get(IMPORTED_ID));
            if (existing.isPresent()) {
                items.add(new ImportResult.Item(conversation.sourceId(), existing.get().id(), existing.get().title(), 0,
                        "already_imported"));
                alreadyImported++;
                connection.rollback();
                return false;
            }
            Instant created = conversation.createdAt() != null ? conversation.createdAt() : Ids.now();
            openId = Ids.newId();
            openTitle = title(conversation.title());
            // A row to insert, never persisted by Hibernate: the import runs on a connection of its own.
            Conversation row = new Conversation();
            row.id = openId;
            row.userId = owner;
            row.title = openTitle;
            row.description = truncate(conversation.description(), 500);
            row.archived = conversation.archived();
            row.pinned = conversation.pinned();
            row.autoReply = conversation.autoReply();
            row.metadata = metadata;
            row.createdAt = created;
            row.updatedAt = conversation.updatedAt() != null ? conversation.updatedAt() : created;
            row.expiresAt = conversation.expiresAt();
            Conversation.insertImported(connection, row);
            staging = connection.prepareStatement("""
                    INSERT INTO import_staging (id, source_id, parent_source, role, content, status, thread_id,
                                                endpoint, model, tool_calls, metadata, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS jsonb), CAST(? AS jsonb), ?, ?)""");
            open = conversation;
            staged = 0;
            pendingInBatch = 0;
            lastMessageAt = null;
            currentSourceId = null;
            currentId = null;
            skipping = false;
            return true;
        } catch (SQLException e) {
            fail(conversation.sourceId(), e);
            return false;
        }
    }

    /** Stages one message of the open conversation; false when the conversation had to be given up. */
    boolean add(ImportedMessage message) {
        if (open == null || skipping) {
            return false;
        }
        if (message.role() == null) {
            abandon("message " + message.sourceId() + " has no valid role (user, assistant, system or tool)");
            return false;
        }
        if (message.content() == null) {
            abandon("message " + message.sourceId() + " has no content");
            return false;
        }
        String refused = refusal(message);
        if (refused != null) {
            abandon("message " + message.sourceId() + ": " + refused);
            return false;
        }
        MessageStatus status = message.status() == null ? MessageStatus.COMPLETE : message.status();
        if (status == MessageStatus.PENDING) {
            status = MessageStatus.FAILED;
        }
        if (message.role() != Role.ASSISTANT) {
            status = MessageStatus.COMPLETE;
        }
        // A message without a time follows the one before it by a microsecond: the file's order is
        // the conversation's order, and two messages of one instant would be ordered by their random ids.
        Instant created = message.createdAt() != null ? message.createdAt()
                : lastMessageAt != null ? lastMessageAt.plus(1, ChronoUnit.MICROS)
                : open.createdAt() != null ? open.createdAt() : Ids.now();
        UUID id = Ids.newId();
        if (message.sourceId() != null && message.sourceId().equals(currentSourceId)) {
            currentId = id;
        }
        try {
            staging.setObject(1, id);
            staging.setString(2, message.sourceId());
            staging.setString(3, message.parentSourceId());
            staging.setString(4, message.role().wire());
            staging.setString(5, message.content());
            staging.setString(6, status.wire());
            staging.setString(7, message.threadId());
            staging.setString(8, message.endpoint());
            staging.setString(9, message.model());
            staging.setString(10, message.toolCalls() == null || !message.toolCalls().isArray() ? "[]"
                    : message.toolCalls().toString());
            staging.setString(11, message.metadata() == null ? "{}" : message.metadata().toString());
            staging.setTimestamp(12, Timestamp.from(created));
            staging.setTimestamp(13, Timestamp.from(message.updatedAt() != null ? message.updatedAt() : created));
            staging.addBatch();
            staged++;
            if (lastMessageAt == null || created.isAfter(lastMessageAt)) {
                lastMessageAt = created;
            }
            if (++pendingInBatch == BATCH) {
                staging.executeBatch();
                pendingInBatch = 0;
            }
            return true;
        } catch (SQLException e) {
            fail(open.sourceId(), e);
            return false;
        }
    }

    /** Moves the staged messages in and commits the conversation. */
    void end() {
        if (open == null) {
            return;
        }
        try {
            if (pendingInBatch > 0) {
                staging.executeBatch();
            }
            int orphans;
            UUID newest = Message.insertImported(connection, openId, owner, STAGED);
            // Every message but the first has a parent: one that came without (a linear source, or a
            // parent missing from the file) follows the message before it.
            Message.linkToPrevious(connection, openId, owner);
            try (PreparedStatement missing = connection.prepareStatement("""
                    SELECT count(*) FROM import_staging s
                     WHERE s.parent_source IS NOT NULL
                       AND NOT EXISTS (SELECT 1 FROM import_staging p WHERE p.source_id = s.parent_source)""");
                    ResultSet rs = missing.executeQuery()) {
                rs.next();
                orphans = rs.getInt(1);
            }
            // The source's current message is the leaf when it named one, else the newest message.
            Conversation.finishImport(connection, openId, owner, staged, lastMessageAt,
                    currentId != null ? currentId : newest,
                    currentId == null ? Map.of() : Map.of(CURRENT_MESSAGE, currentId.toString()));
            connection.commit();
            items.add(new ImportResult.Item(open.sourceId(), openId, openTitle, staged, "imported"));
            conversationsImported++;
            messagesImported += staged;
            if (orphans > 0) {
                problem(open.sourceId(), orphans + " message(s) named a parent that is not in the file; "
                        + "they were stored without one");
            }
        } catch (SQLException e) {
            fail(open.sourceId(), e);
        } finally {
            closeOpen();
        }
    }

    /**
     * Why a conversation read from the file may not be stored, or null: imported content is held to
     * the bounds of content created through the API (PARLEY_LIMITS_*), and to what PostgreSQL can
     * store (no NUL).
     */
    private String refusal(ImportedConversation conversation) {
        String text = nul(Map.of("title", String.valueOf(conversation.title()),
                "description", String.valueOf(conversation.description())));
        return text != null ? text : checked(() -> checks.metadata("metadata", conversation.metadata()));
    }

    private String refusal(ImportedMessage message) {
        if (message.content().codePointCount(0, message.content().length()) > limits.contentMaxLength()) {
            return "content must be at most " + limits.contentMaxLength() + " characters";
        }
        Map<String, String> texts = new LinkedHashMap<>();
        texts.put("content", message.content());
        texts.put("id", String.valueOf(message.sourceId()));
        texts.put("parent_id", String.valueOf(message.parentSourceId()));
        texts.put("thread_id", String.valueOf(message.threadId()));
        texts.put("endpoint", String.valueOf(message.endpoint()));
        texts.put("model", String.valueOf(message.model()));
        String text = nul(texts);
        if (text != null) {
            return text;
        }
        return checked(() -> {
            if (message.toolCalls() != null && message.toolCalls().isArray()) {
                checks.toolCalls("tool_calls", JSON.convertValue(message.toolCalls(), LIST));
            }
            if (message.metadata() != null) {
                checks.metadata("metadata", JSON.convertValue(message.metadata(), OBJECT));
            }
        });
    }

    private static String nul(Map<String, String> texts) {
        for (Map.Entry<String, String> text : texts.entrySet()) {
            if (text.getValue().indexOf('\u0000') >= 0) {
                return text.getKey() + " must not contain NUL characters";
            }
        }
        return null;
    }

    /** The check's 400 as one line ("field: reason, reason"), or null when it passes. */
    private static String checked(Runnable check) {
        try {
            check.run();
            return null;
        } catch (ProblemException e) {
            List<String> reasons = new ArrayList<>();
            e.errors().forEach((field, messages) -> reasons.add(field + " " + String.join(", ", messages)));
            return String.join("; ", reasons);
        }
    }

    /** Gives up the open conversation: nothing of it stays. */
    void abandon(String detail) {
        if (open == null) {
            return;
        }
        String sourceId = open.sourceId();
        rollback();
        problem(sourceId, detail + "; the conversation was not imported");
    }

    void problem(String sourceId, String detail) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(new ImportResult.ImportProblem(sourceId, detail));
        } else {
            problemsLeftOut++;
        }
    }

    int conversationsImported() {
        return conversationsImported;
    }

    ImportResult result() {
        List<ImportResult.ImportProblem> shown = new ArrayList<>(problems);
        if (problemsLeftOut > 0) {
            shown.add(new ImportResult.ImportProblem(null, problemsLeftOut + " more problem(s) not listed"));
        }
        return new ImportResult(format, conversationsImported, messagesImported, alreadyImported, items, shown);
    }

    private void fail(String sourceId, Exception e) {
        // The database's message may quote data; the client gets the kind of failure, the log the rest.
        LOG.warnf("Import of conversation %s failed: %s", sourceId, e.getMessage());
        rollback();
        problem(sourceId, "could not be stored (" + describe(e) + "); the conversation was not imported");
    }

    private static String describe(Exception e) {
        if (e instanceof SQLException sql && sql.getSQLState() != null) {
            return switch (sql.getSQLState()) {
                case "22001" -> "a value is longer than its field allows";
                case "23505" -> "two messages share an id";
                case "23514", "23502" -> "a value is not allowed";
                default -> "database error " + sql.getSQLState();
            };
        }
        return "invalid data";
    }

    private void rollback() {
        try {
            connection.rollback();
        } catch (SQLException e) {
            LOG.warn("Rollback of an import failed", e);
        }
        closeOpen();
    }

    private void closeOpen() {
        if (staging != null) {
            try {
                staging.close();
            } catch (SQLException ignored) {
                // The statement dies with the transaction anyway.
            }
        }
        staging = null;
        open = null;
        skipping = true;
    }

    private static String title(String title) {
        if (title == null || title.isBlank()) {
            return "Imported conversation";
        }
        return truncate(title.strip(), 255);
    }

    private static String truncate(String value, int max) {
        return value == null || value.length() <= max ? value : value.substring(0, max);
    }

    @Override
    public void close() throws SQLException {
        if (open != null) {
            rollback();
        }
        try (Statement drop = connection.createStatement()) {
            // The connection goes back to the pool: leave its session as it was.
            drop.execute("DROP TABLE IF EXISTS pg_temp.import_staging");
        }
        connection.commit();
        connection.setAutoCommit(true);
    }
}
