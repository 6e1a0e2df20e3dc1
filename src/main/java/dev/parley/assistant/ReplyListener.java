package dev.parley.assistant;

/**
 * Hears a reply while it is generated: the generating code reports every piece of text the model
 * hands out, whoever started the generation (a worker or a chat request). {@link ReplyChunks}
 * writes it where the reply's watchers on every replica read it; a caller generating on its own
 * thread (an OpenAI-compatible streamed response) may hear it directly as well.
 */
@FunctionalInterface
public interface ReplyListener {

    /** Hears nothing: the text reaches watchers through the database alone. */
    ReplyListener NONE = delta -> {
    };

    /** The next piece of the reply's text, in order. Called on the model client's thread; must not block for long. */
    void onDelta(String delta);
}
