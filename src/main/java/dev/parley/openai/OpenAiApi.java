package dev.parley.openai;

/** What the /v1 resources share: their tag (their lists share {@link ListParams}). */
final class OpenAiApi {

    static final String TAG = "OpenAI-compatible";
    static final String TAG_DESCRIPTION = "OpenAI's Conversations and Responses API (the chat subset) over Parley's "
            + "storage, for the official SDKs: set their base URL to <parley>/v1 and their API key to a Parley API key "
            + "or JWT. Errors come in OpenAI's envelope {error: {message, type, param, code}}.";

    private OpenAiApi() {
    }
}
