package dev.parley.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.parley.support.Api;
import dev.parley.support.Tokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A client that hangs up while sending its body (a closed browser tab, a load generator stopping)
 * is not a server error: no ERROR log and no 500; the access log says 499 (client closed request).
 */
@QuarkusTest
public class ClientAbortTest {

    @TestHTTPResource("/")
    URL base;

    @jakarta.inject.Inject
    io.vertx.core.Vertx vertx;

    // Every logger, not a chosen few: an ERROR from anywhere counts.
    private final Logger root = Logger.getLogger("");
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void capture() {
        root.addHandler(capture);
    }

    @AfterEach
    void release() {
        root.removeHandler(capture);
    }

    @Test
    void a_body_cut_off_by_the_client_is_not_a_server_error() throws Exception {
        String alice = Api.newUser("alice");
        String path = "/api/conversations/" + Api.createConversation(alice, "cut off") + "/messages";
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\n"
                    + "Host: " + base.getHost() + "\r\n"
                    + "Authorization: Bearer " + Tokens.forUser(alice) + "\r\n"
                    + "Content-Type: application/json\r\n"
                    + "Content-Length: 5000\r\n\r\n"
                    + "{\"role\": \"user\", \"content\": \"only the beginning").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
        String line = awaitAccessLine(path);
        assertNotNull(line, "an access-log line for the cut-off request");
        assertEquals("499", line.split(" ")[2], line);
        // No request thread ever sees this body (the connection closed before it was complete): the
        // close is handled on an event loop, where the 499 was just logged. Once every event loop has
        // run a task queued after that line (twice, for work the close itself queued), whatever the
        // close led to has been logged.
        drainEventLoops();
        drainEventLoops();
        assertEquals(List.of(), records.stream().filter(r -> r.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogRecord::getMessage).toList(), "no ERROR for a client that hung up");
        // Nothing half-read was stored.
        Api.as(alice).get(path).then().statusCode(200).body("count", org.hamcrest.Matchers.is(0));
    }

    private void drainEventLoops() throws Exception {
        List<io.netty.util.concurrent.Future<?>> queued = new java.util.ArrayList<>();
        for (io.netty.util.concurrent.EventExecutor loop : vertx.nettyEventLoopGroup()) {
            queued.add(loop.submit(() -> { }));
        }
        for (io.netty.util.concurrent.Future<?> task : queued) {
            task.get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    private String awaitAccessLine(String path) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            for (LogRecord r : records) {
                if (!"dev.parley.access".equals(r.getLoggerName())) {
                    continue;
                }
                // JBoss logging passes printf-style records through; format them as the console does.
                String message = r.getParameters() == null ? r.getMessage()
                        : String.format(r.getMessage(), r.getParameters());
                if (message.startsWith("POST " + path + " ")) {
                    return message;
                }
            }
            Thread.sleep(50);
        }
        return null;
    }
}
