package dev.parley.portability;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.message.MessageStatus;
import dev.parley.message.Role;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * ChatGPT's data export, {@code conversations.json}: an array of conversations, each
 * {@code {id|conversation_id, title, create_time, update_time, current_node, mapping}}, where
 * mapping holds the message tree by node id: {@code {id, parent, children, message}} and a message
 * is {@code {id, author{role}, content{content_type, parts[] | text}, create_time, metadata}}.
 * Times are Unix seconds with a fraction. The structure is that of the file ChatGPT's "Export
 * data" produces; LibreChat's importer (github.com/danny-avila/LibreChat,
 * api/server/utils/import/importers.js, importChatGptConvo, and its __data__/chatgpt-export.json)
 * reads the same fields.
 */
final class ChatGptFormat implements ImportFormat {

    @Override
    public void read(JsonParser parser, ImportSession session) throws IOException {
        ImportFormat.eachTopLevelObject(parser, session, conversation -> importOne(conversation, session));
    }

    private void importOne(ObjectNode source, ImportSession session) {
        String id = ImportFormat.text(source, "conversation_id");
        if (id == null) {
            id = ImportFormat.text(source, "id");
        }
        JsonNode mapping = source.get("mapping");
        if (id == null || mapping == null || !mapping.isObject()) {
            session.problem(id, "skipped: not a ChatGPT conversation (no id or no mapping)");
            return;
        }
        Instant created = ImportFormat.seconds(source.get("create_time"));
        Instant updated = ImportFormat.seconds(source.get("update_time"));
        List<Branches.Node> nodes = new ArrayList<>();
        int nonText = 0;
        Instant lastTime = created;
        for (Iterator<Map.Entry<String, JsonNode>> it = mapping.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            JsonNode node = entry.getValue();
            String nodeId = ImportFormat.text(node, "id") != null ? ImportFormat.text(node, "id") : entry.getKey();
            JsonNode message = node.get("message");
            ImportedMessage imported = null;
            if (message != null && message.isObject()) {
                Role role = Role.fromWire(ImportFormat.text(message.get("author"), "role"));
                JsonNode content = message.get("content");
                StringBuilder text = new StringBuilder();
                JsonNode parts = content == null ? null : content.get("parts");
                if (parts instanceof ArrayNode array) {
                    for (JsonNode part : array) {
                        if (part.isTextual()) {
                            if (!part.asText().isEmpty()) {
                                text.append(text.isEmpty() ? "" : "\n\n").append(part.asText());
                            }
                        } else {
                            nonText++;
                        }
                    }
                } else if (ImportFormat.text(content, "text") != null) {
                    text.append(ImportFormat.text(content, "text"));
                }
                JsonNode metadata = message.get("metadata");
                boolean hidden = metadata != null && metadata.path("is_visually_hidden_from_conversation").asBoolean();
                Instant at = ImportFormat.seconds(message.get("create_time"));
                if (at == null) {
                    at = lastTime;
                }
                if (role != null && !hidden && !text.toString().isBlank()) {
                    ObjectNode meta = ImportFormat.object().put("imported_id", nodeId);
                    imported = new ImportedMessage(nodeId, null, role, text.toString(), MessageStatus.COMPLETE, null,
                            null, metadata == null ? null : ImportFormat.text(metadata, "model_slug"), null, meta,
                            at, ImportFormat.seconds(message.get("update_time")) != null
                                    ? ImportFormat.seconds(message.get("update_time")) : at);
                    lastTime = at;
                }
            }
            nodes.add(new Branches.Node(nodeId, ImportFormat.text(node, "parent"), imported));
        }
        Branches.Resolved resolved = Branches.resolve(nodes, ImportFormat.text(source, "current_node"));
        if (nonText > 0) {
            session.problem(id, nonText + " non-text part(s) (images, files) were not imported");
        }
        session.store(new ImportedConversation(id, ImportFormat.text(source, "title"), null,
                source.path("is_archived").asBoolean(false), false, true, Map.of(),
                created, updated, null), resolved);
    }
}
