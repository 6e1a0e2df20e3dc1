package dev.parley.events;

import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import org.jboss.logging.Logger;

/**
 * Writes one client's event stream: events with only id, event and one line of JSON data (no
 * content-type field line), comments as heartbeats, and a retry hint when the server ends it.
 * Writing never throws: a client that went away just stops getting events.
 */
public final class SseStream {

    private static final Logger LOG = Logger.getLogger(SseStream.class);

    private final SseEventSink sink;
    private final Sse sse;

    public SseStream(SseEventSink sink, Sse sse) {
        this.sink = sink;
        this.sse = sse;
    }

    public boolean closed() {
        return sink.isClosed();
    }

    /** An event; {@code json} must be one line (JSON as Jackson or PostgreSQL write it is). */
    public void event(String id, String name, String json) {
        send(sse.newEventBuilder().id(id).name(name).data(json).build());
    }

    public void comment(String text) {
        send(sse.newEventBuilder().comment(text).build());
    }

    /** Ends the stream, telling the client to reconnect after {@code retryMillis} (with Last-Event-ID). */
    public void endWithRetry(String reason, long retryMillis) {
        send(sse.newEventBuilder().comment(reason).reconnectDelay(retryMillis).build());
        close();
    }

    public void close() {
        try {
            sink.close();
        } catch (RuntimeException e) {
            LOG.debugf("Stream already gone: %s", e.toString());
        }
    }

    private void send(OutboundSseEvent event) {
        if (sink.isClosed()) {
            return;
        }
        try {
            sink.send(event).exceptionally(e -> {
                LOG.debugf("Stream client gone: %s", e.toString());
                return null;
            });
        } catch (RuntimeException e) {
            LOG.debugf("Stream client gone: %s", e.toString());
        }
    }
}
