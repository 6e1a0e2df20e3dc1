package dev.parley.apikey;

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
        Instant expiresAt,
        @Schema(description = "Last use, updated at most once a minute")
        Instant lastUsedAt) {

    public static ApiKeyView of(ApiKey key) {
        return new ApiKeyView(key.id, key.name, ApiKey.scopes(key.scopes).stream().map(ApiKeyScope::value).toList(),
                key.prefix, key.createdAt, key.expiresAt, key.lastUsedAt);
    }
}
