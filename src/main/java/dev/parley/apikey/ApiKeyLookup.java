package dev.parley.apikey;

import dev.parley.security.ApiKeyScope;
import dev.parley.security.ApiKeyPrincipal;
import dev.parley.security.DatabaseIdentity;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.agroal.api.AgroalDataSource;
import io.quarkus.security.AuthenticationFailedException;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Finds the key a request presents, by the SHA-256 of the secret, through the database function
 * api_key_authenticate (it runs as the table's owner, since the user is not known yet and the
 * table is under row-level security).
 *
 * <p>A found key is trusted for {@code parley.api-keys.cache-ttl} by this replica: a key revoked on
 * another replica stops working here within that time. A key revoked on this replica stops at once
 * ({@link #revoked}), including when a lookup that began before the revocation finishes after it.
 * Expiry is checked on every request, cached or not. Unknown secrets are never cached, so a
 * revoked or unknown key always costs a query and can never come back from the cache.
 *
 * <p>last_used_at is written at most once a minute per key by a replica, and the statement itself
 * skips the write when another replica did it within the minute, so requests never wait on it.
 */
@ApplicationScoped
public class ApiKeyLookup {

    private static final Logger LOG = Logger.getLogger(ApiKeyLookup.class);
    private static final Duration TOUCH_EVERY = Duration.ofMinutes(1);

    /** What authentication needs to know about a key. */
    record Known(String userId, UUID keyId, Set<ApiKeyScope> scopes, byte[] secretHash, Instant expiresAt) {
    }

    @Inject
    AgroalDataSource dataSource;

    private final Cache<String, Known> known;
    private final Cache<UUID, Boolean> revoked;
    private final Cache<UUID, Instant> touched;

    @Inject
    public ApiKeyLookup(ApiKeyConfig config) {
        Duration ttl = config.cacheTtl();
        this.known = ttl.isZero() || ttl.isNegative() || config.cacheSize() <= 0 ? null
                : Caffeine.newBuilder().maximumSize(config.cacheSize()).expireAfterWrite(ttl).build();
        // Long enough to outlive any cache entry or lookup in flight when the key was revoked.
        this.revoked = Caffeine.newBuilder().expireAfterWrite(ttl.plus(Duration.ofMinutes(1))).build();
        this.touched = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(TOUCH_EVERY).build();
    }

    /** The caller for this secret from the cache, or null when it must be looked up (non-blocking). */
    public ApiKeyPrincipal cached(String secret) {
        if (known == null) {
            return null;
        }
        byte[] hash = ApiKeySecrets.hash(secret);
        Known key = known.getIfPresent(HexFormat.of().formatHex(hash));
        return key == null ? null : accept(key, hash);
    }

    /** The caller for this secret, from the database (blocking); 401 when no live key has it. */
    public ApiKeyPrincipal load(String secret) {
        byte[] hash = ApiKeySecrets.hash(secret);
        Known key = query(hash);
        if (key == null) {
            throw new AuthenticationFailedException();
        }
        if (known != null && revoked.getIfPresent(key.keyId()) == null) {
            known.put(HexFormat.of().formatHex(hash), key);
        }
        return accept(key, hash);
    }

    /** Called when this replica revokes a key: it stops working here at once. */
    void revoked(UUID keyId) {
        revoked.put(keyId, Boolean.TRUE);
        if (known != null) {
            known.asMap().values().removeIf(k -> k.keyId().equals(keyId));
        }
    }

    private ApiKeyPrincipal accept(Known key, byte[] hash) {
        if (!ApiKeySecrets.sameHash(key.secretHash(), hash) || revoked.getIfPresent(key.keyId()) != null
                || (key.expiresAt() != null && !Instant.now().isBefore(key.expiresAt()))) {
            throw new AuthenticationFailedException();
        }
        touch(key);
        return new ApiKeyPrincipal(key.userId(), key.keyId(), key.scopes());
    }

    private void touch(Known key) {
        Instant now = Instant.now();
        if (touched.asMap().putIfAbsent(key.keyId(), now) != null) {
            return;
        }
        Infrastructure.getDefaultWorkerPool().execute(() -> DatabaseIdentity.asUser(key.userId(), () -> {
            try (Connection c = dataSource.getConnection();
                    PreparedStatement s = c.prepareStatement("SELECT api_key_touch(?, ?, ?)")) {
                s.setString(1, key.userId());
                s.setObject(2, key.keyId());
                s.setTimestamp(3, Timestamp.from(now));
                s.execute();
            } catch (SQLException e) {
                // Only last_used_at is lost; the next minute tries again.
                touched.invalidate(key.keyId());
                LOG.warnf("Could not record the use of API key %s: %s", key.keyId(), e.getMessage());
            }
        }));
    }

    /**
     * As nobody: the key's owner is not known yet, and api_key_authenticate (a SECURITY DEFINER
     * function, V15) finds the key by its hash without the user's rows being opened to this connection.
     */
    private Known query(byte[] hash) {
        return DatabaseIdentity.asNobody(() -> queryAsNobody(hash));
    }

    private Known queryAsNobody(byte[] hash) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "SELECT user_id, id, scopes, secret_hash, expires_at FROM api_key_authenticate(?)")) {
            s.setBytes(1, hash);
            try (ResultSet row = s.executeQuery()) {
                if (!row.next()) {
                    return null;
                }
                Timestamp expires = row.getTimestamp(5);
                return new Known(row.getString(1), row.getObject(2, UUID.class), ApiKey.scopes(row.getString(3)),
                        row.getBytes(4), expires == null ? null : expires.toInstant());
            }
        } catch (SQLException e) {
            throw new IllegalStateException("API key lookup failed", e);
        }
    }
}
