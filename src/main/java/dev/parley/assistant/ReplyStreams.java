package dev.parley.assistant;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.events.ChangeEvent;
import dev.parley.events.ChangeFeed;
import dev.parley.events.SseStream;
import dev.parley.events.StreamLimits;
import dev.parley.events.StreamsConfig;
import dev.parley.message.Message;
import dev.parley.message.MessageStatus;
import dev.parley.security.DatabaseIdentity;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Streams one reply to one client by watching it, never by generating it: whoever generates the
 * reply (a worker or a chat, on any replica) writes its text to the database, and the watcher
 * sends what the client has not seen. A client that goes away stops only its watcher.
 *
 * <p>Events: {@code delta} {"content": text} with id {@code <reply id>:<offset>}, where offset is
 * the reply's length (UTF-16 units) after this text; then {@code done} (id {@code <reply id>:end})
 * or {@code error} (id {@code <reply id>:error}). Resuming after an id sends the text from its
 * offset on, whether the reply is still pending (its pieces) or complete (the rest in one delta).
 */
@ApplicationScoped
public class ReplyStreams {

    private static final Logger LOG = Logger.getLogger(ReplyStreams.class);

    /** What the stream's last event says, built from the stored reply. */
    public record Ending(Function<Message, String> done, Function<Message, String> failed,
            Function<Message, String> gone) {
    }

    @Inject
    ReplyStore store;

    @Inject
    ChangeFeed feed;

    @Inject
    StreamsConfig config;

    @Inject
    ObjectMapper json;

    /**
     * Where a stream resumes: the offset named by the client's Last-Event-ID for this reply, or the
     * start when it names none (or another reply). An id past the end ("end", "error") resumes at
     * the end: the client gets only the last event again.
     */
    public static int resumeOffset(UUID replyId, String lastEventId) {
        if (lastEventId == null) {
            return 0;
        }
        String prefix = replyId + ":";
        String id = lastEventId.strip();
        if (!id.startsWith(prefix)) {
            return 0;
        }
        String rest = id.substring(prefix.length());
        if (rest.equals("end") || rest.equals("error")) {
            return Integer.MAX_VALUE;
        }
        try {
            return Math.max(0, Integer.parseInt(rest));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Starts watching the user's reply for {@code out}, on a virtual thread; the permit is freed at the end. */
    public void watch(String userId, UUID replyId, int fromOffset, SseStream out, StreamLimits.Permit permit,
            Ending ending) {
        Watch watch = new Watch(replyId.toString(), out);
        ChangeFeed.Subscription subscription;
        try {
            subscription = feed.subscribe(userId, watch);
        } catch (RuntimeException e) {
            permit.close();
            throw e;
        }
        Thread.ofVirtual().name("parley-reply-stream-" + replyId).start(() -> {
            try {
                run(userId, replyId, fromOffset, out, ending, watch);
            } catch (RuntimeException e) {
                LOG.warnf("Reply stream of %s ended early: %s", replyId, e.toString());
                out.endWithRetry("stream interrupted", config.retry().toMillis());
            } finally {
                subscription.close();
                permit.close();
            }
        });
    }

    private void run(String userId, UUID replyId, int fromOffset, SseStream out, Ending ending, Watch watch) {
        long start = System.nanoTime();
        long endsAt = start + config.maxDuration().toNanos();
        long lastSent = start;
        int offset = fromOffset;
        while (!watch.stopping && !out.closed()) {
            watch.wake.drainPermits();
            int after = offset;
            ReplyStore.Progress progress;
            try {
                // A thread of its own, outside the request: the database sees the owner the request verified.
                progress = DatabaseIdentity.asUser(userId,
                        () -> QuarkusTransaction.requiringNew().call(() -> store.progress(userId, replyId, after)));
            } catch (RuntimeException e) {
                // The database is away for now: look again at the next wake-up.
                LOG.debugf("Reply %s not readable for its stream: %s", replyId, e.toString());
                watch.await(config.replyPoll().toMillis());
                continue;
            }
            Message reply = progress.reply();
            if (reply == null) {
                out.event(replyId + ":error", "error", ending.gone().apply(null));
                out.close();
                return;
            }
            for (ReplyStore.Chunk chunk : progress.chunks()) {
                if (chunk.endOffset() <= offset) {
                    continue;
                }
                int chunkStart = chunk.endOffset() - chunk.content().length();
                String text = chunkStart >= offset ? chunk.content() : chunk.content().substring(offset - chunkStart);
                delta(out, replyId, chunk.endOffset(), text);
                offset = chunk.endOffset();
                lastSent = System.nanoTime();
            }
            if (reply.status == MessageStatus.COMPLETE) {
                String content = reply.content == null ? "" : reply.content;
                if (offset < content.length()) {
                    delta(out, replyId, content.length(), content.substring(offset));
                }
                out.event(replyId + ":end", "done", ending.done().apply(reply));
                out.close();
                return;
            }
            if (reply.status == MessageStatus.FAILED) {
                out.event(replyId + ":error", "error", ending.failed().apply(reply));
                out.close();
                return;
            }
            long now = System.nanoTime();
            if (now - endsAt > 0) {
                out.endWithRetry("stream reached its maximum duration", config.retry().toMillis());
                return;
            }
            if (now - lastSent >= config.heartbeatEvery().toNanos()) {
                out.comment("heartbeat");
                lastSent = now;
            }
            long untilHeartbeat = (lastSent + config.heartbeatEvery().toNanos() - now) / 1_000_000;
            watch.await(Math.max(1, Math.min(config.replyPoll().toMillis(), untilHeartbeat)));
        }
    }

    private void delta(SseStream out, UUID replyId, int endOffset, String text) {
        try {
            out.event(replyId + ":" + endOffset, "delta", json.writeValueAsString(Map.of("content", text)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A delta cannot be written as JSON", e);
        }
    }

    /** Wakes the watcher when the feed carries news of its reply. */
    private final class Watch implements ChangeFeed.Subscriber {
        final String replyId;
        final SseStream out;
        final Semaphore wake = new Semaphore(0);
        volatile boolean stopping;

        Watch(String replyId, SseStream out) {
            this.replyId = replyId;
            this.out = out;
        }

        @Override
        public void onEvent(ChangeEvent event) {
            if (event.type().startsWith("reply.") || event.type().startsWith("message.")
                    || event.type().equals("conversation.deleted")) {
                if (event.data().contains(replyId) || event.type().equals("conversation.deleted")) {
                    wake.release();
                }
            }
        }

        @Override
        public void onShutdown() {
            stopping = true;
            out.endWithRetry("server shutting down", config.retry().toMillis());
            wake.release();
        }

        boolean await(long millis) {
            try {
                return wake.tryAcquire(millis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopping = true;
                return false;
            }
        }
    }
}
