package dev.parley.apikey;

import dev.parley.security.ApiKeyScope;
import dev.parley.security.OwnerRestriction;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.hibernate.annotations.SQLRestriction;

/**
 * A user's API key. Hibernate keeps reads and changes to the caller's rows like all user data
 * ({@link OwnerRestriction}); the one read before the user is known (authentication) goes through the
 * database function api_key_authenticate (see {@link ApiKeyLookup}). The secret itself is never
 * stored, only its SHA-256.
 */
@Entity
@Table(name = "api_key")
@SQLRestriction(OwnerRestriction.CONDITION)
public class ApiKey extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "user_id", nullable = false, updatable = false)
    public String userId;

    @Column(nullable = false)
    public String name;

    /** Space-separated scope names. */
    @Column(nullable = false, length = 32)
    public String scopes;

    @Column(nullable = false, updatable = false, length = 16)
    public String prefix;

    @Column(name = "secret_hash", nullable = false, updatable = false)
    public byte[] secretHash;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "expires_at", updatable = false)
    public Instant expiresAt;

    /** Kept by api_key_touch, never by this entity. */
    @Column(name = "last_used_at", insertable = false, updatable = false)
    public Instant lastUsedAt;

    public static String scopes(Set<ApiKeyScope> scopes) {
        return scopes.stream().sorted().map(ApiKeyScope::value).collect(Collectors.joining(" "));
    }

    public static Set<ApiKeyScope> scopes(String scopes) {
        return Arrays.stream(scopes.split(" ")).map(ApiKeyScope::of)
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(ApiKeyScope.class)));
    }
}
