package dev.parley.assistant;

/**
 * Hears a reply while it is generated. The generating code reports every piece of text the model
 * hands out, whoever started the generation (a worker or a chat request); what happens with the
 * text is the listener's business: a streamed chat sends it to its client.
 */
@FunctionalInterface
public interface ReplyListener {

    /** Nobody is listening: the provider may answer in one piece. */
    ReplyListener NONE = delta -> {
    };

    /** The next piece of the reply's text, in order. Called on the generating thread; must not block for long. */
    void onDelta(String delta);
}
