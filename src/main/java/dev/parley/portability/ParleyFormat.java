package dev.parley.portability;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.message.MessageStatus;
import dev.parley.message.Role;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@link Exporter} writes: the NDJSON of GET /api/export (header, conversation and message
 * lines, end) or the JSON document of GET /api/conversations/{id}/export?format=json. Read as a
 * stream in both cases: a conversation's messages go to the session as they are read, never held.
 */
final class ParleyFormat implements ImportFormat {

    private String openSourceId;

    @Override
    public void read(JsonParser parser, ImportSession session) throws IOException {
        for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
            if (token != JsonToken.START_OBJECT) {
                throw new IllegalImportException("expected Parley export lines or a Parley export document");
            }
            readTopLevelObject(parser, session);
        }
        session.end();
    }

    /** Either one NDJSON line (a small object with a type) or the whole JSON document. */
    private void readTopLevelObject(JsonParser parser, ImportSession session) throws IOException {
        ObjectNode head = ImportFormat.object();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if ("conversations".equals(field) && value == JsonToken.START_ARRAY && !head.has("type")) {
                checkVersion(head);
                while (parser.nextToken() == JsonToken.START_OBJECT) {
                    readConversationObject(parser, session);
                }
            } else {
                head.set(field, parser.readValueAsTree());
            }
        }
        String type = ImportFormat.text(head, "type");
        if (type == null) {
            checkVersion(head);
            return;
        }
        switch (type) {
            case "header" -> checkVersion(head);
            case "conversation" -> {
                openSourceId = ImportFormat.text(head, "id");
                session.begin(conversation(head));
            }
            case "message" -> {
                if (openSourceId != null && openSourceId.equals(ImportFormat.text(head, "conversation_id"))) {
                    session.add(message(head));
                } else {
                    session.problem(ImportFormat.text(head, "conversation_id"), "message "
                            + ImportFormat.text(head, "id") + " does not follow its conversation's line; skipped");
                }
            }
            case "end" -> {
                session.end();
                openSourceId = null;
            }
            default -> session.problem(null, "skipped a line of unknown type '" + type + "'");
        }
    }

    /** A conversation of the JSON document: its fields, then (last, as exported) its messages. */
    private void readConversationObject(JsonParser parser, ImportSession session) throws IOException {
        ObjectNode fields = ImportFormat.object();
        boolean begun = false;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if ("messages".equals(field) && value == JsonToken.START_ARRAY && !begun) {
                begun = true;
                boolean accepting = session.begin(conversation(fields));
                while (parser.nextToken() == JsonToken.START_OBJECT) {
                    JsonNode message = parser.readValueAsTree();
                    if (accepting) {
                        accepting = session.add(message((ObjectNode) message));
                    }
                }
            } else {
                fields.set(field, parser.readValueAsTree());
            }
        }
        if (!begun) {
            session.begin(conversation(fields));
        }
        session.end();
    }

    private static void checkVersion(ObjectNode head) {
        if (head.has("format") && !Exporter.FORMAT.equals(ImportFormat.text(head, "format"))) {
            throw new IllegalImportException("format is '" + ImportFormat.text(head, "format")
                    + "', not '" + Exporter.FORMAT + "'");
        }
        if (head.has("version") && head.get("version").asInt() != Exporter.VERSION) {
            throw new IllegalImportException("version " + head.get("version").asText()
                    + " of " + Exporter.FORMAT + " is not supported (this server reads version " + Exporter.VERSION + ")");
        }
    }

    private static ImportedConversation conversation(ObjectNode c) {
        Map<String, String> metadata = new LinkedHashMap<>();
        JsonNode source = c.get("metadata");
        if (source != null && source.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = source.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                metadata.put(entry.getKey(), entry.getValue().isValueNode() ? entry.getValue().asText()
                        : entry.getValue().toString());
            }
        }
        return new ImportedConversation(ImportFormat.text(c, "id"), ImportFormat.text(c, "title"),
                ImportFormat.text(c, "description"), c.path("archived").asBoolean(false),
                c.path("pinned").asBoolean(false), c.path("auto_reply").asBoolean(true), metadata,
                ImportFormat.iso(c.get("created_at")), ImportFormat.iso(c.get("updated_at")),
                ImportFormat.iso(c.get("expires_at")));
    }

    private static ImportedMessage message(ObjectNode m) {
        MessageStatus status = switch (String.valueOf(ImportFormat.text(m, "status"))) {
            case "failed" -> MessageStatus.FAILED;
            case "pending" -> MessageStatus.PENDING;
            default -> MessageStatus.COMPLETE;
        };
        JsonNode metadata = m.get("metadata");
        return new ImportedMessage(ImportFormat.text(m, "id"), ImportFormat.text(m, "parent_id"),
                Role.fromWire(ImportFormat.text(m, "role")), ImportFormat.text(m, "content"), status,
                ImportFormat.text(m, "thread_id"), ImportFormat.text(m, "endpoint"), ImportFormat.text(m, "model"),
                m.get("tool_calls"), metadata != null && metadata.isObject() ? (ObjectNode) metadata : ImportFormat.object(),
                ImportFormat.iso(m.get("created_at")), ImportFormat.iso(m.get("updated_at")));
    }
}
