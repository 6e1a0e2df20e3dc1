package dev.parley.events;

import java.util.ArrayList;
import java.util.List;

/**
 * One client of GET /api/events. Live events that arrive while the client's missed events are
 * still being sent wait here, so the client gets every event once, in order.
 */
final class FeedStream implements ChangeFeed.Subscriber {

    private final SseStream out;
    private final StreamLimits.Permit permit;
    private final long endsAtNanos;
    private final long retryMillis;
    private List<ChangeEvent> waiting = new ArrayList<>();
    private long sentUpTo;
    private ChangeFeed.Subscription subscription;

    FeedStream(SseStream out, StreamLimits.Permit permit, StreamsConfig config) {
        this.out = out;
        this.permit = permit;
        this.endsAtNanos = System.nanoTime() + config.maxDuration().toNanos();
        this.retryMillis = config.retry().toMillis();
    }

    synchronized void subscribed(ChangeFeed.Subscription subscription) {
        this.subscription = subscription;
    }

    /** An event the client missed, sent before live ones. */
    synchronized void missed(ChangeEvent event) {
        send(event);
    }

    /** The client missed more than the retention holds: it must reload, then continue from {@code latestId}. */
    synchronized void resync(long latestId, String reason) {
        out.event(String.valueOf(latestId), "resync", "{\"reason\":\"" + reason + "\"}");
        sentUpTo = Math.max(sentUpTo, latestId);
    }

    /** From now on events go straight to the client. */
    synchronized void live() {
        for (ChangeEvent event : waiting) {
            if (event.id() > sentUpTo) {
                send(event);
            }
        }
        waiting = null;
    }

    @Override
    public synchronized void onEvent(ChangeEvent event) {
        if (waiting != null) {
            waiting.add(event);
        } else {
            send(event);
        }
    }

    private void send(ChangeEvent event) {
        out.event(String.valueOf(event.id()), event.type(), event.data());
        sentUpTo = Math.max(sentUpTo, event.id());
    }

    @Override
    public synchronized boolean onHeartbeat(long nowNanos) {
        if (out.closed()) {
            end();
            return false;
        }
        if (nowNanos - endsAtNanos > 0) {
            out.endWithRetry("stream reached its maximum duration", retryMillis);
            end();
            return false;
        }
        out.comment("heartbeat");
        return true;
    }

    @Override
    public synchronized void onShutdown() {
        out.endWithRetry("server shutting down", retryMillis);
        end();
    }

    /** Stops delivery and frees the stream's place; safe to call more than once. */
    synchronized void end() {
        if (subscription != null) {
            subscription.close();
        }
        permit.close();
        out.close();
    }
}
