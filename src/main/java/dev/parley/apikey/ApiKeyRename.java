package dev.parley.apikey;

import io.quarkus.runtime.annotations.RegisterForReflection;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of PATCH /api/keys/{id}: only the name of a key can change. */
@RegisterForReflection
@Schema(name = "ApiKeyRename")
public record ApiKeyRename(@Schema(required = true, examples = "nightly export (old laptop)") String name) {
}
