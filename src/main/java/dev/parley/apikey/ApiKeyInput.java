package dev.parley.apikey;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of POST /api/keys. */
@RegisterForReflection
@Schema(name = "ApiKeyInput")
public record ApiKeyInput(
        @Schema(required = true, examples = "nightly export", description = "1 to 100 characters (parley.api-keys.name-max-length)")
        String name,
        // The allowed values are in the description, not an enumeration: on a list, the annotation's
        // enumeration lands on the array itself, which generated clients cannot compile.
        @Schema(required = true, description = "At least one of read, write, chat")
        List<String> scopes,
        @Schema(description = "When the key stops working; in the future, and within "
                + "parley.api-keys.max-expiry-days when that is set. Omitted: never (unless that setting is set).")
        Instant expiresAt) {
}
