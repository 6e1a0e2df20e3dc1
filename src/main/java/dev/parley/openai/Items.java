package dev.parley.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.error.ProblemException;
import dev.parley.message.Message;
import dev.parley.message.MessageStatus;
import dev.parley.message.NewMessage;
import dev.parley.message.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Conversation items to Parley messages and back. A message item is a message; a function_call is
 * an assistant message holding the call in tool_calls (its content is the arguments, as a message
 * cannot be blank); a function_call_output is a tool message whose metadata names the call. The
 * item type is kept in metadata so that the same item comes back.
 */
final class Items {

    static final String ITEM_TYPE = "openai_item_type";
    static final String TOOL_CALL_ID = "tool_call_id";
    static final int MAX_ITEMS = 20;

    private Items() {
    }

    static Item of(Message m) {
        Object type = m.metadata == null ? null : m.metadata.get(ITEM_TYPE);
        if ("function_call".equals(type) && m.toolCalls != null && !m.toolCalls.isEmpty()) {
            Map<String, Object> call = m.toolCalls.get(0);
            Map<?, ?> function = call.get("function") instanceof Map<?, ?> f ? f : Map.of();
            return Item.functionCall(OpenAiIds.item(OpenAiIds.FUNCTION_CALL, m.id), text(call.get("id")),
                    text(function.get("name")), text(function.get("arguments")));
        }
        if (m.role == Role.TOOL) {
            return Item.functionCallOutput(OpenAiIds.item(OpenAiIds.FUNCTION_CALL_OUTPUT, m.id),
                    text(m.metadata == null ? null : m.metadata.get(TOOL_CALL_ID)), m.content);
        }
        ContentPart part = m.role == Role.ASSISTANT ? ContentPart.output(m.content) : ContentPart.input(m.content);
        return Item.message(OpenAiIds.item(OpenAiIds.MESSAGE, m.id), status(m.status), m.role.wire(), List.of(part));
    }

    static String status(MessageStatus status) {
        return switch (status) {
            case COMPLETE -> "completed";
            case PENDING -> "in_progress";
            case FAILED -> "incomplete";
        };
    }

    /** The items of a request, in order; {@code param} names the field for errors ("items", "input"). */
    static List<NewMessage> parse(JsonNode items, String param) {
        if (items == null || items.isNull()) {
            throw ProblemException.badRequest(param, "is required");
        }
        if (!items.isArray()) {
            throw ProblemException.badRequest(param, "must be an array of items");
        }
        if (items.size() > MAX_ITEMS) {
            throw ProblemException.badRequest(param, "must hold at most " + MAX_ITEMS + " items");
        }
        List<NewMessage> messages = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            messages.add(parseItem(items.get(i), param + "[" + i + "]"));
        }
        return messages;
    }

    private static NewMessage parseItem(JsonNode item, String param) {
        if (!item.isObject()) {
            throw ProblemException.badRequest(param, "must be an object");
        }
        String type = item.hasNonNull("type") ? item.get("type").asText() : "message";
        return switch (type) {
            case "message" -> message(item, param);
            case "function_call" -> {
                String callId = required(item, "call_id", param);
                String name = required(item, "name", param);
                String arguments = item.hasNonNull("arguments") ? string(item, "arguments", param) : "{}";
                yield NewMessage.of(Role.ASSISTANT, arguments.isBlank() ? "{}" : arguments)
                        .withMetadata(Map.of(ITEM_TYPE, "function_call"))
                        .withToolCalls(List.of(Map.of("id", callId, "type", "function",
                                "function", Map.of("name", name, "arguments", arguments))));
            }
            case "function_call_output" -> {
                String callId = required(item, "call_id", param);
                if (callId.length() > 512) {
                    throw ProblemException.badRequest(param + ".call_id", "must be at most 512 characters");
                }
                yield NewMessage.of(Role.TOOL, required(item, "output", param))
                        .withMetadata(Map.of(ITEM_TYPE, "function_call_output", TOOL_CALL_ID, callId));
            }
            default -> throw ProblemException.badRequest(param + ".type", "is not supported: Parley stores message, "
                    + "function_call and function_call_output items, not " + printable(type));
        };
    }

    private static NewMessage message(JsonNode item, String param) {
        String roleName = required(item, "role", param);
        Role role = "developer".equals(roleName) ? Role.SYSTEM : Role.fromWire(roleName);
        if (role == null || role == Role.TOOL) {
            throw ProblemException.badRequest(param + ".role", "must be one of [user, assistant, system, developer]");
        }
        JsonNode content = item.get("content");
        String text;
        if (content != null && content.isTextual()) {
            text = string(item, "content", param);
        } else if (content != null && content.isArray()) {
            StringBuilder joined = new StringBuilder();
            for (int j = 0; j < content.size(); j++) {
                JsonNode part = content.get(j);
                String partParam = param + ".content[" + j + "]";
                String partType = part.isObject() && part.hasNonNull("type") ? part.get("type").asText() : null;
                if (!"input_text".equals(partType) && !"output_text".equals(partType) && !"text".equals(partType)) {
                    throw ProblemException.badRequest(partParam + ".type", "is not supported: only input_text, "
                            + "output_text and text parts are stored (no images, files or audio)");
                }
                if (!joined.isEmpty()) {
                    joined.append('\n');
                }
                joined.append(required(part, "text", partParam));
            }
            text = joined.toString();
        } else {
            throw ProblemException.badRequest(param + ".content", "must be a string or an array of content parts");
        }
        if (text.isBlank()) {
            throw ProblemException.badRequest(param + ".content", "must not be blank");
        }
        return NewMessage.of(role, text);
    }

    private static String required(JsonNode node, String field, String param) {
        if (!node.hasNonNull(field)) {
            throw ProblemException.badRequest(param + "." + field, "is required");
        }
        return string(node, field, param);
    }

    private static String string(JsonNode node, String field, String param) {
        JsonNode value = node.get(field);
        if (!value.isTextual()) {
            throw ProblemException.badRequest(param + "." + field, "must be a string");
        }
        return text(value, param + "." + field);
    }

    /**
     * The text of a JSON string read as a tree, which bypasses the mapper's check of strings:
     * PostgreSQL cannot store NUL, so it is refused here as everywhere else.
     */
    static String text(JsonNode value, String param) {
        String text = value.asText();
        if (text.indexOf('\u0000') >= 0) {
            throw ProblemException.badRequest(param, "must not contain NUL characters");
        }
        return text;
    }

    private static String text(Object value) {
        return value == null ? "" : value.toString();
    }

    private static String printable(String type) {
        return type.length() <= 64 && type.chars().noneMatch(Character::isISOControl) ? type : "this type";
    }
}
