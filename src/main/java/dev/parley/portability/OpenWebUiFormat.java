package dev.parley.portability;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
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
 * Open WebUI's chat export ("Export All Chats", or one chat's "Export chat (.json)"): an array of
 * {@code {id, title, chat{title, history{messages{id: {id, parentId, childrenIds, role, content,
 * timestamp, model}}, currentId}, messages[]}, created_at, updated_at, archived, pinned}}, times in
 * Unix seconds. The structure is Open WebUI's chat row (github.com/open-webui/open-webui,
 * backend/open_webui/models/chats.py: ChatModel, whose chat column holds the history), as also read
 * by LibreChat's importer (api/server/utils/import/__data__/openwebui-export.json). The history
 * tree is used, not chat.messages, which holds only the current branch.
 */
final class OpenWebUiFormat implements ImportFormat {

    @Override
    public void read(JsonParser parser, ImportSession session) throws IOException {
        ImportFormat.eachTopLevelObject(parser, session, chat -> importOne(chat, session));
    }

    private void importOne(ObjectNode source, ImportSession session) {
        String id = ImportFormat.text(source, "id");
        JsonNode chat = source.get("chat");
        JsonNode history = chat == null ? null : chat.get("history");
        JsonNode messages = history == null ? null : history.get("messages");
        if (id == null || messages == null || !messages.isObject()) {
            session.problem(id, "skipped: not an Open WebUI chat (no id or no chat.history.messages)");
            return;
        }
        List<Branches.Node> nodes = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = messages.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            JsonNode message = entry.getValue();
            String messageId = ImportFormat.text(message, "id") != null ? ImportFormat.text(message, "id") : entry.getKey();
            Role role = Role.fromWire(ImportFormat.text(message, "role"));
            String content = ImportFormat.text(message, "content");
            ImportedMessage imported = null;
            if (role != null && content != null && !content.isBlank()) {
                Instant at = ImportFormat.seconds(message.get("timestamp"));
                imported = new ImportedMessage(messageId, null, role, content, MessageStatus.COMPLETE, null, null,
                        ImportFormat.text(message, "model"), null, ImportFormat.object().put("imported_id", messageId),
                        at, at);
            }
            nodes.add(new Branches.Node(messageId, ImportFormat.text(message, "parentId"), imported));
        }
        String title = ImportFormat.text(source, "title");
        if (title == null) {
            title = ImportFormat.text(chat, "title");
        }
        session.store(new ImportedConversation(id, title, null, source.path("archived").asBoolean(false),
                source.path("pinned").asBoolean(false), true, Map.of(),
                ImportFormat.seconds(source.get("created_at")), ImportFormat.seconds(source.get("updated_at")), null),
                Branches.resolve(nodes, ImportFormat.text(history, "currentId")));
    }
}
