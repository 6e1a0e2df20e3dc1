package dev.parley.portability;

import dev.parley.apikey.ApiKeyAuthenticationMechanism;
import dev.parley.ratelimit.RateLimited;
import dev.parley.ratelimit.RateLimiter;
import dev.parley.security.CurrentUser;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.io.InputStream;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/import")
@Tag(name = "Export and import")
@Authenticated
@SecurityRequirement(name = "bearer")
@SecurityRequirement(name = ApiKeyAuthenticationMechanism.SCHEME)
public class ImportResource {

    @Inject
    Importer importer;

    @Inject
    CurrentUser user;

    @POST
    @Consumes({MediaType.APPLICATION_JSON, ExportResource.NDJSON, MediaType.APPLICATION_OCTET_STREAM})
    @Produces(MediaType.APPLICATION_JSON)
    @RateLimited(RateLimiter.Kind.WRITES)
    @Operation(operationId = "importConversations", summary = "Import conversations from a file",
            description = "The file is the request body (up to parley.import.max-body-size, 64 MiB by default). "
                    + "Each conversation is stored whole or not at all, under new ids; a conversation imported "
                    + "before (same format and source id, kept in its metadata as imported_from and imported_id) "
                    + "is not imported again. Imported messages never get assistant replies.")
    @RequestBody(required = true, description = "The export file: JSON, or NDJSON for format=parley",
            content = @Content(schema = @Schema(type = SchemaType.STRING, format = "binary")))
    @APIResponse(responseCode = "200", description = "What was imported, per conversation, and what was skipped",
            content = @Content(schema = @Schema(implementation = ImportResult.class)))
    @APIResponse(responseCode = "400", description = "Unknown format, or a file that is not valid JSON or not of "
            + "that format (conversations before the break are imported; the detail says how many)")
    @APIResponse(responseCode = "413", description = "The file is larger than the import limit")
    @APIResponse(responseCode = "415",
            description = "Send application/json, application/x-ndjson or application/octet-stream")
    public ImportResult importConversations(
            @Parameter(required = true, description = "What wrote the file",
                    schema = @Schema(enumeration = {"parley", "chatgpt", "openwebui", "librechat"}))
            @QueryParam("format") String format,
            InputStream body) {
        return importer.run(user.id(), format, body);
    }
}
