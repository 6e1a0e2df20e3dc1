package dev.parley.openai;

import dev.parley.error.ProblemException;
import java.util.HexFormat;
import java.util.UUID;

/**
 * OpenAI-looking ids that are Parley's own UUIDs, reversibly: {@code conv_} + the conversation's
 * UUID as 32 hex digits, {@code msg_} (or {@code fc_} / {@code fco_} for tool items) + the
 * message's, and {@code resp_} + the conversation's and the reply's. So a conversation made
 * through /v1 is the same row /api shows, and no id needs a table of its own.
 */
final class OpenAiIds {

    static final String CONVERSATION = "conv_";
    static final String MESSAGE = "msg_";
    static final String FUNCTION_CALL = "fc_";
    static final String FUNCTION_CALL_OUTPUT = "fco_";
    static final String RESPONSE = "resp_";

    private static final HexFormat HEX = HexFormat.of();

    private OpenAiIds() {
    }

    static String conversation(UUID id) {
        return CONVERSATION + hex(id);
    }

    static String item(String prefix, UUID id) {
        return prefix + hex(id);
    }

    static String response(UUID conversationId, UUID replyId) {
        return RESPONSE + hex(conversationId) + hex(replyId);
    }

    /** The conversation an id names; an id Parley cannot have issued names nothing (404). */
    static UUID conversationId(String id) {
        return uuid(id, CONVERSATION).orElseThrow(() -> notFound("conversation", id));
    }

    static UUID itemId(String id) {
        for (String prefix : new String[] {MESSAGE, FUNCTION_CALL_OUTPUT, FUNCTION_CALL}) {
            if (id != null && id.startsWith(prefix)) {
                return uuid(id, prefix).orElseThrow(() -> notFound("item", id));
            }
        }
        throw notFound("item", id);
    }

    /** The conversation and the reply a response id names. */
    static UUID[] responseIds(String id) {
        if (id == null || id.length() != RESPONSE.length() + 64 || !id.startsWith(RESPONSE)) {
            throw notFound("response", id);
        }
        UUID conversation = uuid(id.substring(0, RESPONSE.length() + 32), RESPONSE)
                .orElseThrow(() -> notFound("response", id));
        UUID reply = uuid(RESPONSE + id.substring(RESPONSE.length() + 32), RESPONSE)
                .orElseThrow(() -> notFound("response", id));
        return new UUID[] {conversation, reply};
    }

    /** An id given in a body or query: a malformed one is a 400 naming the field. */
    static UUID conversationParam(String param, String id) {
        return uuid(id, CONVERSATION)
                .orElseThrow(() -> ProblemException.badRequest(param, "must be a conversation id (conv_…)"));
    }

    static ProblemException notFound(String kind, String id) {
        String shown = id == null || id.length() > 80 ? "" : " " + id;
        return ProblemException.notFound("No " + kind + shown);
    }

    private static java.util.Optional<UUID> uuid(String id, String prefix) {
        if (id == null || id.length() != prefix.length() + 32 || !id.startsWith(prefix)) {
            return java.util.Optional.empty();
        }
        String hex = id.substring(prefix.length());
        if (!hex.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new UUID(HexFormat.fromHexDigitsToLong(hex, 0, 16),
                HexFormat.fromHexDigitsToLong(hex, 16, 32)));
    }

    private static String hex(UUID id) {
        return HEX.toHexDigits(id.getMostSignificantBits()) + HEX.toHexDigits(id.getLeastSignificantBits());
    }
}
