package dev.parley.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * For @QuarkusIntegrationTest: the packaged jar runs in prod mode, where the embedded database
 * extension is absent (it is a provided dependency), so the suite starts its own PostgreSQL, sets up
 * its two roles as a deployment would, and hands them to the jar through settings: Flyway migrates
 * as the owner, the application runs as the runtime role, under row-level security.
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
        String url = postgres.getJdbcUrl("postgres", "postgres");
        DatabaseRoles.create(url);
        Map<String, String> settings = new HashMap<>(DatabaseRoles.settings(url.replaceAll("[?&]user=.*$", "")));
        settings.putAll(Map.of(
                "mp.jwt.verify.publickey.algorithm", "RS256,ES256",
                "mp.jwt.verify.publickey.location",
                Path.of("src/test/resources/publicKeys.jwks").toAbsolutePath().toString(),
                "parley.pagination.cursor-key", "integration-test-cursor-key"));
        return settings;
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
