package dev.parley.ops;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A PostgreSQL of its own for the readiness test, on a fixed port, that the test can really stop
 * and start again. The data directory is kept between stop and start so the schema Flyway made is
 * still there when the database comes back, as it would be after a real database restart.
 */
public class StoppableDatabase implements QuarkusTestResourceLifecycleManager {

    /** Its own port, so that it never meets the shared test database (54387) or another run. */
    public static final int PORT = Integer.parseInt(System.getenv().getOrDefault("PARLEY_STOPPABLE_PG_PORT", "54395"));

    /** Marks the test field that receives this database. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface Control {
    }

    private final Path dataDirectory = Path.of("target", "stoppable-db").toAbsolutePath();
    private EmbeddedPostgres postgres;

    @Override
    public Map<String, String> start() {
        deleteDataDirectory();
        startDatabase();
        return Map.of(
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://localhost:" + PORT + "/postgres",
                "quarkus.datasource.username", "parley_app",
                "quarkus.datasource.password", "parley_app");
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(this,
                new TestInjector.AnnotatedAndMatchesType(Control.class, StoppableDatabase.class));
    }

    public synchronized void stopDatabase() {
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            postgres = null;
        }
    }

    public synchronized void startDatabase() {
        if (postgres == null) {
            try {
                postgres = EmbeddedPostgres.builder()
                        .setPort(PORT)
                        .setDataDirectory(dataDirectory)
                        .setCleanDataDirectory(false)
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot start PostgreSQL on port " + PORT, e);
            }
        }
    }

    @Override
    public void stop() {
        stopDatabase();
        deleteDataDirectory();
    }

    private void deleteDataDirectory() {
        if (!Files.exists(dataDirectory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dataDirectory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
