package dev.parley.ops;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * Readiness follows the database. It replaces the datasource check of quarkus-agroal, whose DOWN
 * answer carries the driver's message (database host and port) to anyone who can reach
 * /q/health/ready; the reason goes to the log instead.
 */
@Readiness
@ApplicationScoped
public class DatabaseReadiness implements HealthCheck {

    static final String NAME = "Database connections health check";
    private static final Logger LOG = Logger.getLogger(DatabaseReadiness.class);
    private static final int VALIDATION_SECONDS = 3;

    @Inject
    AgroalDataSource dataSource;

    @Override
    public HealthCheckResponse call() {
        try (Connection connection = dataSource.getConnection()) {
            if (connection.isValid(VALIDATION_SECONDS)) {
                return HealthCheckResponse.up(NAME);
            }
            LOG.warn("Readiness: a database connection did not validate");
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("Readiness: the database is unreachable: %s", e.getMessage());
        }
        return HealthCheckResponse.named(NAME).down().withData("reason", "the database is unreachable").build();
    }
}
