package dev.parley.openai;

import dev.parley.error.ProblemException;

/** What the /v1 resources share: the tag, and the paging parameters of OpenAI's lists. */
final class OpenAiApi {

    static final String TAG = "OpenAI-compatible";
    static final String TAG_DESCRIPTION = "OpenAI's Conversations and Responses API (the chat subset) over Parley's "
            + "storage, for the official SDKs: set their base URL to <parley>/v1 and their API key to a Parley API key "
            + "or JWT. Errors come in OpenAI's envelope {error: {message, type, param, code}}.";
    static final int DEFAULT_LIMIT = 20;
    static final int MAX_LIMIT = 100;

    private OpenAiApi() {
    }

    static OpenAiConversations.Paging paging(String after, String limit, String order) {
        int size = DEFAULT_LIMIT;
        if (limit != null) {
            try {
                size = Integer.parseInt(limit.strip());
            } catch (NumberFormatException e) {
                throw ProblemException.badRequest("limit", "must be a number from 1 to " + MAX_LIMIT);
            }
            if (size < 1 || size > MAX_LIMIT) {
                throw ProblemException.badRequest("limit", "must be a number from 1 to " + MAX_LIMIT);
            }
        }
        boolean newestFirst = true;
        if (order != null) {
            newestFirst = switch (order) {
                case "desc" -> true;
                case "asc" -> false;
                default -> throw ProblemException.badRequest("order", "must be asc or desc");
            };
        }
        return new OpenAiConversations.Paging(after == null || after.isBlank() ? null : after, size, newestFirst);
    }
}
