package dev.parley.apikey;

import dev.parley.common.Ids;
import dev.parley.ratelimit.RateLimited;
import dev.parley.ratelimit.RateLimiter;
import dev.parley.security.CurrentUser;
import dev.parley.security.JwtOnly;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeIn;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The caller's API keys. Only a JWT may manage keys, so that a leaked key cannot mint or list others. */
@Path("/api/keys")
// The scheme that the other /api resources name; defined here, with the keys (annotations on a
// resource class are what the OpenAPI scanner reads).
@SecurityScheme(securitySchemeName = ApiKeyAuthenticationMechanism.SCHEME, type = SecuritySchemeType.APIKEY,
        in = SecuritySchemeIn.HEADER, apiKeyName = ApiKeyAuthenticationMechanism.HEADER,
        description = "A personal API key (pk_live_...), created with POST /api/keys; also accepted as "
                + "Authorization: Bearer <key>. Its scopes decide what it may call: read (GET), write (other "
                + "methods on conversations and messages), chat (chat, and user messages that get a reply); "
                + "a call outside them is 403 problem+json naming the missing scope.")
@Tag(name = "API keys", description = "Personal API keys for scripts and services (managed with a JWT only)")
@Authenticated
@JwtOnly("API keys cannot manage API keys; use a bearer JWT")
@SecurityRequirement(name = "bearer")
@Produces(MediaType.APPLICATION_JSON)
@APIResponse(responseCode = "403", description = "Called with an API key: keys are managed with a JWT only")
public class ApiKeyResource {

    @Inject
    ApiKeyService service;

    @Inject
    CurrentUser user;

    @Context
    UriInfo uriInfo;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "createApiKey", summary = "Create an API key",
            description = "The answer is the only time the key is shown; only its SHA-256 is stored.")
    @APIResponse(responseCode = "201", description = "Created; Location names the key",
            content = @Content(schema = @Schema(implementation = ApiKeyCreatedView.class)))
    @APIResponse(responseCode = "400", description = "Invalid name, scopes or expires_at")
    @APIResponse(responseCode = "409", description = "The user already holds the most keys allowed")
    @RateLimited(RateLimiter.Kind.WRITES)
    public Response create(ApiKeyInput input) {
        user.requireJwt();
        ApiKeyService.Created created = service.create(input);
        return Response.created(uriInfo.getAbsolutePathBuilder().path(created.key().id.toString()).build())
                .entity(ApiKeyCreatedView.of(created.key(), created.secret())).build();
    }

    @GET
    @Operation(operationId = "listApiKeys", summary = "List the caller's API keys, newest first (never the keys themselves)")
    @APIResponse(responseCode = "200", description = "The keys",
            content = @Content(schema = @Schema(implementation = ApiKeyView.class, type = SchemaType.ARRAY)))
    public List<ApiKeyView> list() {
        user.requireJwt();
        return service.list().stream().map(ApiKeyView::of).toList();
    }

    @GET
    @Path("/{id}")
    @Operation(operationId = "getApiKey", summary = "Get one API key (never the key itself)")
    @APIResponse(responseCode = "200", description = "The key",
            content = @Content(schema = @Schema(implementation = ApiKeyView.class)))
    public ApiKeyView get(@PathParam("id") String id) {
        user.requireJwt();
        return ApiKeyView.of(service.get(Ids.parse("id", id)));
    }

    @PATCH
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "renameApiKey", summary = "Rename an API key (its name is all that can change)")
    @APIResponse(responseCode = "200", description = "The renamed key",
            content = @Content(schema = @Schema(implementation = ApiKeyView.class)))
    @APIResponse(responseCode = "400", description = "Invalid name or id")
    @RateLimited(RateLimiter.Kind.WRITES)
    public ApiKeyView rename(@PathParam("id") String id, ApiKeyRename rename) {
        user.requireJwt();
        return ApiKeyView.of(service.rename(Ids.parse("id", id), rename));
    }

    @DELETE
    @Path("/{id}")
    @Operation(operationId = "revokeApiKey", summary = "Revoke an API key",
            description = "It stops working at once on this replica, and on the others within "
                    + "parley.api-keys.cache-ttl (5 s by default).")
    @APIResponse(responseCode = "204", description = "Revoked")
    @RateLimited(RateLimiter.Kind.WRITES)
    public Response revoke(@PathParam("id") String id) {
        user.requireJwt();
        service.revoke(Ids.parse("id", id));
        return Response.noContent().build();
    }
}
