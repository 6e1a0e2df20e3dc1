package dev.parley.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The packaged jar (target/quarkus-app/quarkus-run.jar) run as a process of its own, the way a
 * deployment runs it, so that a test can kill it with SIGKILL and start it again. Each instance
 * gets a free HTTP port; its log goes to target/&lt;name&gt;.log.
 */
public final class ParleyProcess implements AutoCloseable {

    private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath();
    private static final Duration START_LIMIT = Duration.ofSeconds(180);

    public final String name;
    public final int port;
    private final Process process;

    private ParleyProcess(String name, int port, Process process) {
        this.name = name;
        this.port = port;
        this.process = process;
    }

    /** Starts an instance against {@code database} and waits until it is ready. */
    public static ParleyProcess start(String name, EmbeddedPostgres database, Map<String, String> settings) {
        ParleyProcess parley = launch(name, database, settings);
        parley.awaitReady();
        return parley;
    }

    /**
     * Starts an instance and returns at once (for a start that is meant to fail, say). A setting
     * whose value is null is removed from the environment the process would otherwise get.
     */
    public static ParleyProcess launch(String name, EmbeddedPostgres database, Map<String, String> settings) {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR + " is missing: run the …IT tests after packaging");
        }
        int port = freePort();
        Map<String, String> env = new HashMap<>();
        env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        // As deployed: Flyway as the owner, the application as the runtime role (row-level security).
        String url = database.getJdbcUrl("postgres", "postgres");
        DatabaseRoles.create(url);
        DatabaseRoles.settings(url.replaceAll("[?&]user=.*$", ""))
                .forEach((key, value) -> env.put(key.toUpperCase().replace('.', '_'), value));
        env.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", Path.of("src/test/resources/publicKey.pem").toAbsolutePath().toString());
        env.put("PARLEY_PAGINATION_CURSOR_KEY", "process-test-cursor-key");
        env.put("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "false");
        env.put("QUARKUS_SHUTDOWN_DELAY_ENABLED", "false");
        env.putAll(settings);
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-XX:+UseSerialGC", "-Xmx192m",
                // A heap exhausted under test leaves its evidence beside the log.
                "-XX:+HeapDumpOnOutOfMemoryError", "-XX:HeapDumpPath=" + Path.of("target").toAbsolutePath(), "-jar", JAR.toString()));
        Path log = Path.of("target", name + ".log");
        try {
            // Each start of a name writes its own log, so a test reads this run's lines only.
            Files.deleteIfExists(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(JAR.getParent().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(Path.of("target", name + ".log").toFile()));
        env.forEach((key, value) -> {
            if (value == null) {
                builder.environment().remove(key);
            } else {
                builder.environment().put(key, value);
            }
        });
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ParleyProcess(name, port, process);
    }

    /** Waits for the process to end by itself and answers its exit code. */
    public int awaitExit(Duration limit) {
        try {
            if (!process.waitFor(limit.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                kill();
                throw new AssertionError(name + " did not exit within " + limit);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return process.exitValue();
    }

    /** What the process has written so far (target/&lt;name&gt;.log). */
    public String log() {
        try {
            return Files.readString(Path.of("target", name + ".log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String baseUri() {
        return "http://127.0.0.1:" + port;
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see target/" + name + ".log");
            }
            try {
                HttpURLConnection connection = (HttpURLConnection) URI.create(baseUri() + "/q/health/ready").toURL()
                        .openConnection();
                connection.setConnectTimeout(1000);
                connection.setReadTimeout(5000);
                if (connection.getResponseCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // Not listening yet.
            }
            sleep(200);
        }
        kill();
        throw new IllegalStateException(name + " was not ready within " + START_LIMIT + "; see target/" + name + ".log");
    }

    /** SIGKILL: no shutdown hook runs, nothing is handed back, as when a node dies. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGTERM, as an orchestrator stops a pod: the graceful shutdown runs. */
    public int stop(Duration limit) {
        process.destroy();
        try {
            if (!process.waitFor(limit.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                kill();
                throw new AssertionError(name + " did not stop within " + limit);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }

    public static EmbeddedPostgres database() {
        try {
            return EmbeddedPostgres.builder().setPort(freePort()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start PostgreSQL", e);
        }
    }

    public static Connection connect(EmbeddedPostgres database) {
        try {
            return DriverManager.getConnection(database.getJdbcUrl("postgres", "postgres"), "postgres", "postgres");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
