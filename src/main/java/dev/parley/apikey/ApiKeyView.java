package dev.parley.apikey;

import dev.parley.security.ApiKeyScope;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A key as lists show it: never the secret. */
@RegisterForReflection
@Schema(name = "ApiKey")
public record ApiKeyView(
        UUID id,
        String name,
        List<String> scopes,
        @Schema(description = "The first characters of the key, to recognise it", examples = "pk_live_7Gx2")
        String prefix,
        Instant createdAt,
        @Schema(nullable = true, implementation = String.class, format = "date-time",
                description = "null: the key does not expire") Instant expiresAt,
        @Schema(nullable = true, implementation = String.class, format = "date-time",
                description = "Last use, updated at most once a minute; null until the key is used")
        Instant lastUsedAt) {

    public static ApiKeyView of(ApiKey key) {
        return new ApiKeyView(key.id, key.name, ApiKey.scopes(key.scopes).stream().map(ApiKeyScope::value).toList(),
                key.prefix, key.createdAt, key.expiresAt, key.lastUsedAt);
    }
}
