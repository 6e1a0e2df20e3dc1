package dev.parley.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * What a DBA does once per deployment (README "Database roles"), for the tests that run the
 * packaged jar against a PostgreSQL of their own: the owner role Flyway migrates as, the runtime
 * role the application connects as, and the two LEAKPROOF marks only a superuser can make.
 */
public final class DatabaseRoles {

    public static final String OWNER = "parley_owner";
    public static final String RUNTIME = "parley_app";

    private DatabaseRoles() {
    }

    /** Sets the roles up in the database of {@code superuserUrl} (idempotent). */
    public static void create(String superuserUrl) {
        try (Connection admin = DriverManager.getConnection(superuserUrl, "postgres", "postgres");
                Statement sql = admin.createStatement()) {
            sql.execute("""
                    DO $roles$ BEGIN
                        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'parley_owner') THEN
                            CREATE ROLE parley_owner LOGIN PASSWORD 'parley_owner';
                            CREATE ROLE parley_app LOGIN PASSWORD 'parley_app';
                        END IF;
                        EXECUTE format('GRANT CREATE ON DATABASE %1$I TO parley_owner', current_database());
                        EXECUTE format('REVOKE TEMPORARY ON DATABASE %1$I FROM PUBLIC', current_database());
                        EXECUTE format('GRANT TEMPORARY ON DATABASE %1$I TO parley_app', current_database());
                        GRANT CREATE ON SCHEMA public TO parley_owner;
                        ALTER FUNCTION texticlike(text, text) LEAKPROOF;
                        ALTER FUNCTION ts_match_vq(tsvector, tsquery) LEAKPROOF;
                    END $roles$""");
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create the database roles", e);
        }
    }

    /** The jar's settings: the application as the runtime role, Flyway as the owner. */
    public static Map<String, String> settings(String jdbcUrl) {
        return Map.of(
                "quarkus.datasource.jdbc.url", jdbcUrl,
                "quarkus.datasource.username", RUNTIME,
                "quarkus.datasource.password", RUNTIME,
                "quarkus.flyway.username", OWNER,
                "quarkus.flyway.password", OWNER);
    }
}
