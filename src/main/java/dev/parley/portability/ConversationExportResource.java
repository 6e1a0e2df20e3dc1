package dev.parley.portability;

import dev.parley.apikey.ApiKeyAuthenticationMechanism;
import dev.parley.common.Ids;
import dev.parley.conversation.ConversationService;
import dev.parley.security.CurrentUser;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * One conversation as a file. Its own class with the full path, because JAX-RS matches the most
 * specific class path first: under a shorter one, /api/conversations would take the request.
 */
@Path("/api/conversations/{id}/export")
@Tag(name = "Export and import")
@Authenticated
@SecurityRequirement(name = "bearer")
@SecurityRequirement(name = ApiKeyAuthenticationMechanism.SCHEME)
public class ConversationExportResource {

    static final String MARKDOWN = "text/markdown";

    @Inject
    Exporter exporter;

    @Inject
    ConversationService conversations;

    @Inject
    CurrentUser user;

    @GET
    @Produces({MediaType.APPLICATION_JSON, MARKDOWN})
    @Operation(operationId = "exportConversation", summary = "Export one conversation with all its messages",
            description = "format=json (default): {format: \"parley-export\", version: 1, exported_at, conversations: "
                    + "[{…every field…, messages: [{…every field…}]}]}, which POST /api/import?format=parley reads back. "
                    + "format=markdown: the title, then each message as a bold role and its text.")
    @APIResponse(responseCode = "200", description = "The file, as an attachment",
            content = {@Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.OBJECT)),
                    @Content(mediaType = MARKDOWN, schema = @Schema(type = SchemaType.STRING))})
    @APIResponse(responseCode = "400", description = "Malformed id or unknown format")
    public Response exportConversation(@PathParam("id") String id,
            @Parameter(description = "json (default) or markdown", schema = @Schema(enumeration = {"json", "markdown"}))
            @QueryParam("format") @Pattern(regexp = "json|markdown", message = "must be json or markdown")
            String format,
            @Parameter(hidden = true) @HeaderParam("Accept-Encoding") String acceptEncoding) {
        UUID conversationId = Ids.parse("id", id);
        boolean markdown = "markdown".equals(format);
        // Checked before the answer starts, so that another user's conversation is a 404.
        conversations.get(conversationId);
        String owner = user.id();
        boolean gzip = Exporter.acceptsGzip(acceptEncoding);
        StreamingOutput body = out -> Exporter.write(out, gzip, o -> {
            if (markdown) {
                exporter.markdown(owner, conversationId, o);
            } else {
                exporter.json(owner, conversationId, o);
            }
        });
        return ExportResource.gzipped(Response.ok(body, markdown ? MARKDOWN + ";charset=UTF-8"
                : MediaType.APPLICATION_JSON), gzip)
                .header("Content-Disposition", "attachment; filename=\"conversation-" + conversationId
                        + (markdown ? ".md" : ".json") + "\"")
                .build();
    }

}
