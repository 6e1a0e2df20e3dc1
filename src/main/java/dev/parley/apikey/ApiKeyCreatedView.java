package dev.parley.apikey;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The answer to creating a key: the only time the secret is ever shown. */
@RegisterForReflection
@Schema(name = "ApiKeyCreated")
public record ApiKeyCreatedView(
        UUID id,
        String name,
        List<String> scopes,
        String prefix,
        @Schema(description = "The key itself; shown only in this answer, store it now")
        String key,
        Instant createdAt,
        @Schema(nullable = true, implementation = String.class, format = "date-time",
                description = "null: the key does not expire") Instant expiresAt) {

    /** Without the secret, should the view ever be logged. */
    @Override
    public String toString() {
        return "ApiKeyCreatedView[id=" + id + ", name=" + name + ", prefix=" + prefix + "]";
    }

    static ApiKeyCreatedView of(ApiKey key, String secret) {
        ApiKeyView view = ApiKeyView.of(key);
        return new ApiKeyCreatedView(key.id, key.name, view.scopes(), key.prefix, secret, key.createdAt, key.expiresAt);
    }
}
