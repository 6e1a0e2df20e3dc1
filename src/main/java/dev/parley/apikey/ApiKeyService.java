package dev.parley.apikey;

import dev.parley.security.ApiKeyScope;
import dev.parley.common.Ids;
import dev.parley.error.ProblemException;
import dev.parley.security.CurrentUser;
import dev.parley.security.OwnerRestriction;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** The caller's API keys; Hibernate keeps every read and write to the caller's rows ({@link OwnerRestriction}). */
@ApplicationScoped
@Transactional(Transactional.TxType.REQUIRED)
public class ApiKeyService {

    @Inject
    CurrentUser user;

    @Inject
    ApiKeyConfig config;

    @Inject
    ApiKeyLookup lookup;

    @Inject
    TransactionSynchronizationRegistry transactions;

    /** A new key and its secret, which exists only in this answer. */
    public record Created(ApiKey key, String secret) {
    }

    public Created create(ApiKeyInput input) {
        String name = name(input == null ? null : input.name());
        Set<ApiKeyScope> scopes = scopes(input.scopes());
        Instant now = Ids.now();
        Instant expiresAt = expiry(input.expiresAt(), now);
        // One count per creation; two racing creations may both pass at the limit, which is harmless.
        if (ApiKey.count() >= config.maxPerUser()) {
            throw new ProblemException(409, "You already have " + config.maxPerUser()
                    + " API keys, the most allowed; revoke one first", null);
        }
        String secret = ApiKeySecrets.generate();
        ApiKey key = new ApiKey();
        key.id = Ids.newId();
        key.userId = user.id();
        key.name = name;
        key.scopes = ApiKey.scopes(scopes);
        key.prefix = ApiKeySecrets.shown(secret);
        key.secretHash = ApiKeySecrets.hash(secret);
        key.createdAt = now;
        key.expiresAt = expiresAt;
        key.persist();
        return new Created(key, secret);
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public List<ApiKey> list() {
        return ApiKey.listAll(Sort.descending("createdAt", "id"));
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public ApiKey get(UUID id) {
        return ApiKey.<ApiKey>findByIdOptional(id).orElseThrow(() -> notFound(id));
    }

    public ApiKey rename(UUID id, ApiKeyRename rename) {
        ApiKey key = get(id);
        key.name = name(rename == null ? null : rename.name());
        return key;
    }

    /** Deletes the key; this replica stops accepting it when the deletion commits, others within the cache ttl. */
    public void revoke(UUID id) {
        if (ApiKey.delete("id", id) == 0) {
            throw notFound(id);
        }
        // Also forgotten before commit, so no request here can use it from the cache meanwhile;
        // and again after, in case a lookup still in flight cached it before the delete.
        lookup.revoked(id);
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                if (status == Status.STATUS_COMMITTED) {
                    lookup.revoked(id);
                }
            }
        });
    }

    private String name(String name) {
        if (name == null || name.isBlank()) {
            throw ProblemException.badRequest("name", "must not be blank");
        }
        String stripped = name.strip();
        if (stripped.length() > config.nameMaxLength()) {
            throw ProblemException.badRequest("name", "must be at most " + config.nameMaxLength() + " characters");
        }
        return stripped;
    }

    private static Set<ApiKeyScope> scopes(List<String> names) {
        if (names == null || names.isEmpty()) {
            throw ProblemException.badRequest("scopes", "must name at least one of read, write, chat");
        }
        Set<ApiKeyScope> scopes = EnumSet.noneOf(ApiKeyScope.class);
        for (String name : names) {
            ApiKeyScope scope = ApiKeyScope.of(name);
            if (scope == null) {
                throw ProblemException.badRequest("scopes", "must be read, write or chat");
            }
            scopes.add(scope);
        }
        return scopes;
    }

    private Instant expiry(Instant requested, Instant now) {
        if (requested != null && !requested.isAfter(now)) {
            throw ProblemException.badRequest("expires_at", "must be in the future");
        }
        if (config.maxExpiryDays().isPresent()) {
            Instant latest = now.plus(Duration.ofDays(config.maxExpiryDays().getAsInt()));
            if (requested == null) {
                return latest;
            }
            if (requested.isAfter(latest)) {
                throw ProblemException.badRequest("expires_at",
                        "must be at most " + config.maxExpiryDays().getAsInt() + " days from now");
            }
        }
        return requested == null ? null : requested.truncatedTo(ChronoUnit.MICROS);
    }

    private static ProblemException notFound(UUID id) {
        return ProblemException.notFound("No API key " + id + " for this user");
    }
}
