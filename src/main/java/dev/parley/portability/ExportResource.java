package dev.parley.portability;

import dev.parley.apikey.ApiKeyAuthenticationMechanism;
import dev.parley.common.QueryBoolean;
import dev.parley.error.ProblemException;
import dev.parley.security.CurrentUser;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/export")
@Tag(name = "Export and import", description = "The caller's data as files, and files from other tools")
@Authenticated
@SecurityRequirement(name = "bearer")
@SecurityRequirement(name = ApiKeyAuthenticationMechanism.SCHEME)
public class ExportResource {

    static final String NDJSON = "application/x-ndjson";

    @Inject
    Exporter exporter;

    @Inject
    CurrentUser user;

    @GET
    @Produces(NDJSON)
    @Operation(operationId = "exportAll", summary = "Export all of the caller's conversations and messages",
            description = "A stream of JSON lines, gzipped when the request accepts gzip: a header "
                    + "{type: header, format: \"parley-export\", version: 1, exported_at, since, archived}, then per "
                    + "conversation (oldest first) a {type: conversation, …} line followed by its {type: message, …} "
                    + "lines (oldest first), and last {type: end, conversations, messages}. A file without the end "
                    + "line was cut short. POST /api/import?format=parley reads it back.")
    @APIResponse(responseCode = "200", description = "The export, as an attachment",
            content = @Content(mediaType = NDJSON, schema = @Schema(type = SchemaType.STRING)))
    public Response exportAll(
            @Parameter(description = "ndjson (the default and only format)", schema = @Schema(enumeration = "ndjson"))
            @QueryParam("format") @Pattern(regexp = "ndjson", message = "must be ndjson") String format,
            @Parameter(description = "Only conversations changed at or after this instant (ISO-8601), "
                    + "with all their messages") @QueryParam("since") String since,
            @Parameter(description = "Only archived (true) or only active (false) conversations; both when absent",
                    schema = @Schema(type = SchemaType.BOOLEAN)) @QueryParam("archived") @QueryBoolean String archived,
            @Parameter(hidden = true) @HeaderParam("Accept-Encoding") String acceptEncoding) {
        Exporter.Filter filter = new Exporter.Filter(instant("since", since),
                archived == null ? null : Boolean.valueOf(archived));
        String owner = user.id();
        boolean gzip = Exporter.acceptsGzip(acceptEncoding);
        StreamingOutput body = out -> Exporter.write(out, gzip, o -> exporter.ndjson(owner, filter, o));
        return gzipped(Response.ok(body, NDJSON), gzip)
                .header("Content-Disposition", "attachment; filename=\"parley-export-"
                        + LocalDate.now(ZoneOffset.UTC) + ".ndjson\"")
                .build();
    }

    static Response.ResponseBuilder gzipped(Response.ResponseBuilder response, boolean gzip) {
        response.header("Vary", "Accept-Encoding");
        return gzip ? response.header("Content-Encoding", "gzip") : response;
    }

    private static Instant instant(String name, String raw) {
        if (raw == null) {
            return null;
        }
        try {
            return Instant.parse(raw);
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest(name, "must be an ISO-8601 instant, e.g. 2026-01-31T00:00:00Z");
        }
    }
}
