package dev.parley.support;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A client of a live event stream, as a browser's EventSource sees it: events arrive while the
 * stream is open, the test waits for each with a deadline, and closing the client drops the
 * connection mid-stream. Every raw line is kept, so a test can check the wire format.
 */
public final class SseClient implements AutoCloseable {

    public record Event(String id, String name, String data) {
    }

    private static final Event END = new Event(null, null, null);
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public final int status;
    public final HttpResponse<InputStream> response;
    public final List<String> lines = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> comments = new LinkedBlockingQueue<>();
    private final InputStream body;
    private volatile String error;

    private SseClient(HttpResponse<InputStream> response) {
        this.response = response;
        this.status = response.statusCode();
        this.body = response.body();
        if (status == 200) {
            Thread reader = new Thread(this::read, "sse-client");
            reader.setDaemon(true);
            reader.start();
        } else {
            try (body) {
                error = new String(body.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                error = e.toString();
            }
        }
    }

    /** GET {@code url} as the token's user, resuming after {@code lastEventId} when it is not null. */
    public static SseClient get(String url, String bearer, String lastEventId) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET()
                .header("Authorization", bearer).header("Accept", "text/event-stream");
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        return send(request.build());
    }

    /** POST a JSON body to {@code url}, asking for an event stream. */
    public static SseClient post(String url, String bearer, String json) {
        return send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(json))
                .header("Authorization", bearer).header("Accept", "text/event-stream")
                .header("Content-Type", "application/json").build());
    }

    private static SseClient send(HttpRequest request) {
        try {
            return new SseClient(HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The body of a response that was not a stream (a problem object). */
    public String error() {
        return error;
    }

    private void read() {
        String id = null;
        String name = "message";
        StringBuilder data = null;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                lines.add(line);
                if (line.isEmpty()) {
                    if (data != null) {
                        events.add(new Event(id, name, data.toString()));
                    }
                    id = null;
                    name = "message";
                    data = null;
                } else if (line.startsWith(":")) {
                    comments.add(line.substring(1).strip());
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).strip();
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    String value = line.substring(5);
                    value = value.startsWith(" ") ? value.substring(1) : value;
                    data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                }
            }
        } catch (IOException e) {
            // Closed by the test, or dropped by the server.
        } finally {
            events.add(END);
        }
    }

    /** The next event, waiting at most {@code limit}; fails the test when none comes or the stream ended. */
    public Event next(Duration limit) {
        Event event = poll(limit);
        if (event == null) {
            fail("No event within " + limit + "; lines so far: " + lines);
        }
        return event;
    }

    /** The next event within {@code limit}, or null when none came or the stream ended. */
    public Event poll(Duration limit) {
        try {
            Event event = events.poll(limit.toMillis(), TimeUnit.MILLISECONDS);
            if (event == END) {
                events.add(END);
                return null;
            }
            return event;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Every event until the server ends the stream, which must happen within {@code limit}. */
    public List<Event> untilEnd(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        List<Event> all = new ArrayList<>();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                fail("The stream did not end within " + limit + "; lines so far: " + lines);
            }
            try {
                Event event = events.poll(left, TimeUnit.NANOSECONDS);
                if (event == END) {
                    events.add(END);
                    return all;
                }
                if (event != null) {
                    all.add(event);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("Interrupted");
            }
        }
    }

    /** The next comment line's text, waiting at most {@code limit}; fails the test when none comes. */
    public String nextComment(String text, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                String comment = comments.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (text.equals(comment)) {
                    return comment;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        fail("No comment '" + text + "' within " + limit + "; lines so far: " + lines);
        return null;
    }

    /** Drops the connection, as a client that lost its network does. */
    @Override
    public void close() {
        try {
            body.close();
        } catch (IOException e) {
            // Already gone.
        }
    }
}
