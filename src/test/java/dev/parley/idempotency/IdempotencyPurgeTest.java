package dev.parley.idempotency;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.parley.support.Db;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The purge deletes every expired key in one run, however many there are, and nothing else. */
@QuarkusTest
public class IdempotencyPurgeTest {

    @Inject
    Idempotency idempotency;

    /** Every user's rows, as a DBA sees them: the application's pool sees only one identity's. */
    final DataSource dataSource = Db.superuser();

    @Test
    void one_purge_removes_more_expired_keys_than_a_batch_and_keeps_live_ones() throws SQLException {
        String user = "purge-" + UUID.randomUUID();
        int expired = Idempotency.PURGE_BATCH * 2 + 17;
        try (Connection db = dataSource.getConnection(); Statement s = db.createStatement()) {
            s.execute("""
                    INSERT INTO idempotency_key (user_id, idem_key, request_hash, status_code, created_at)
                    SELECT '%1$s', 'old-' || i, 'h', 201, now() - interval '25 hours'
                      FROM generate_series(1, %2$d) i""".formatted(user, expired));
            s.execute("""
                    INSERT INTO idempotency_key (user_id, idem_key, request_hash, status_code, created_at)
                    SELECT '%1$s', 'new-' || i, 'h', 201, now() - interval '1 hour'
                      FROM generate_series(1, 10) i""".formatted(user));
        }
        long purged = idempotency.purgeExpired();
        try (Connection db = dataSource.getConnection(); Statement s = db.createStatement();
                ResultSet left = s.executeQuery("""
                        SELECT count(*) FILTER (WHERE idem_key LIKE 'old-%%'), count(*) FILTER (WHERE idem_key LIKE 'new-%%')
                          FROM idempotency_key WHERE user_id = '%s'""".formatted(user))) {
            left.next();
            assertEquals(0, left.getLong(1), "expired keys left after one purge");
            assertEquals(10, left.getLong(2), "live keys kept");
        }
        assertEquals(true, purged >= expired, "purged " + purged);
    }
}
