package dev.parley.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * For @QuarkusIntegrationTest: the packaged jar runs in prod mode, where the embedded database
 * extension is absent (it is a provided dependency), so the suite starts its own PostgreSQL and
 * hands its URL to the jar the way a deployment would, through datasource settings.
 */
public class ExternalPostgres implements QuarkusTestResourceLifecycleManager {

    /** PARLEY_IT_PG_PORT lets two checkouts run their integration tests side by side. */
    static final int PORT = Integer.parseInt(System.getenv().getOrDefault("PARLEY_IT_PG_PORT", "54388"));

    private EmbeddedPostgres postgres;

    @Override
    public Map<String, String> start() {
        try {
            postgres = EmbeddedPostgres.builder().setPort(PORT).start();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start PostgreSQL for the integration tests", e);
        }
        return Map.of(
                "quarkus.datasource.jdbc.url", postgres.getJdbcUrl("postgres", "postgres"),
                "quarkus.datasource.username", "postgres",
                "quarkus.datasource.password", "postgres",
                "mp.jwt.verify.publickey.algorithm", "RS256,ES256",
                "mp.jwt.verify.publickey.location",
                Path.of("src/test/resources/publicKeys.jwks").toAbsolutePath().toString(),
                "parley.pagination.cursor-key", "integration-test-cursor-key");
    }

    @Override
    public void stop() {
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException e) {
                // The process is gone with the JVM anyway.
            }
        }
    }
}
