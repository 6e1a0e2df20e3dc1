package dev.parley.assistant;

import java.util.List;
import java.util.function.Consumer;

/**
 * Produces assistant replies. Implementations are chosen by {@code parley.assistant.provider}.
 * Calls block the calling thread; Parley calls them from worker threads, never from an event loop.
 */
public interface Assistant {

    /** The provider's name, stored as the reply's endpoint. */
    String provider();

    /** The model, stored on the reply, or null when the provider has none. */
    String model();

    /** A reply to the conversation so far; the last turn is the user message being answered. */
    Reply reply(List<Turn> history);

    /**
     * The same reply, handing out the text as it is produced. Providers without token streaming
     * hand out the whole text at once.
     */
    default Reply stream(List<Turn> history, Consumer<String> onDelta) {
        Reply reply = reply(history);
        if (reply.content() != null && !reply.content().isEmpty()) {
            onDelta.accept(reply.content());
        }
        return reply;
    }
}
