package dev.parley.portability;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.message.MessageStatus;
import dev.parley.message.Role;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * LibreChat's exported conversation (the JSON of "Export" in a conversation's menu): {@code
 * {conversationId, title, endpoint, options, messages[] | messagesTree[]}}, each message {@code
 * {messageId, parentMessageId, sender, isCreatedByUser, text, content[], model, endpoint, error,
 * createdAt, updatedAt}}; with the "recursive" option the messages come as a tree whose nodes
 * carry {@code children}. The root's parent id is the nil UUID. Source: github.com/danny-avila/LibreChat,
 * api/server/utils/import/importers.js (importLibreChatConvo) and its __data__/librechat-export.json.
 * LibreChat has no current node: the most recent leaf ends the main line, as its UI shows it.
 */
final class LibreChatFormat implements ImportFormat {

    private static final String NO_PARENT = "00000000-0000-0000-0000-000000000000";

    @Override
    public void read(JsonParser parser, ImportSession session) throws IOException {
        ImportFormat.eachTopLevelObject(parser, session, conversation -> importOne(conversation, session));
    }

    private void importOne(ObjectNode source, ImportSession session) {
        String id = ImportFormat.text(source, "conversationId");
        JsonNode messages = source.has("messagesTree") ? source.get("messagesTree") : source.get("messages");
        if (id == null || messages == null || !messages.isArray()) {
            session.problem(id, "skipped: not a LibreChat conversation (no conversationId or no messages)");
            return;
        }
        List<Branches.Node> nodes = new ArrayList<>();
        Deque<JsonNode> pending = new ArrayDeque<>();
        messages.forEach(pending::addLast);
        while (!pending.isEmpty()) {
            JsonNode message = pending.removeFirst();
            JsonNode children = message.get("children");
            if (children != null && children.isArray()) {
                children.forEach(pending::addLast);
            }
            String messageId = ImportFormat.text(message, "messageId");
            if (messageId == null) {
                session.problem(id, "a message without messageId was skipped");
                continue;
            }
            String parent = ImportFormat.text(message, "parentMessageId");
            String text = text(message);
            ImportedMessage imported = null;
            if (!text.isBlank()) {
                Instant created = ImportFormat.iso(message.get("createdAt"));
                Instant updated = ImportFormat.iso(message.get("updatedAt"));
                ObjectNode metadata = ImportFormat.object().put("imported_id", messageId);
                if (ImportFormat.text(message, "sender") != null) {
                    metadata.put("sender", ImportFormat.text(message, "sender"));
                }
                boolean byUser = message.path("isCreatedByUser").asBoolean(false);
                imported = new ImportedMessage(messageId, NO_PARENT.equals(parent) ? null : parent,
                        byUser ? Role.USER : Role.ASSISTANT, text,
                        !byUser && message.path("error").asBoolean(false) ? MessageStatus.FAILED : MessageStatus.COMPLETE,
                        null, ImportFormat.text(message, "endpoint"), ImportFormat.text(message, "model"), null,
                        metadata, created, updated != null ? updated : created);
            }
            nodes.add(new Branches.Node(messageId, NO_PARENT.equals(parent) ? null : parent, imported));
        }
        Branches.Resolved resolved = Branches.resolve(nodes, null);
        Instant created = resolved.messages().isEmpty() ? null : resolved.messages().get(0).createdAt();
        Instant updated = ImportFormat.iso(source.get("updatedAt"));
        session.store(new ImportedConversation(id, ImportFormat.text(source, "title"), null, false, false, true,
                Map.of(), ImportFormat.iso(source.get("createdAt")) != null ? ImportFormat.iso(source.get("createdAt")) : created,
                updated, null), resolved);
    }

    /** The text, or for messages stored as content parts (agents), their text parts joined. */
    private static String text(JsonNode message) {
        String text = ImportFormat.text(message, "text");
        if (text != null && !text.isBlank()) {
            return text;
        }
        StringBuilder joined = new StringBuilder();
        JsonNode content = message.get("content");
        if (content != null && content.isArray()) {
            for (JsonNode part : content) {
                String partText = part.path("text").isTextual() ? part.get("text").asText() : null;
                if (partText != null && !partText.isBlank()) {
                    joined.append(joined.isEmpty() ? "" : "\n\n").append(partText);
                }
            }
        }
        return joined.toString();
    }
}
