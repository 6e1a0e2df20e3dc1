package dev.parley.conversation;

import dev.parley.apikey.ApiKeyAuthenticationMechanism;
import dev.parley.common.IfMatch;
import dev.parley.common.Ids;
import dev.parley.idempotency.Idempotency;
import dev.parley.pagination.Page;
import dev.parley.pagination.PageRequest;
import dev.parley.pagination.PagingParams;
import dev.parley.ratelimit.RateLimited;
import dev.parley.ratelimit.RateLimiter;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/conversations")
@Tag(name = "Conversations", description = "The caller's conversations")
@Authenticated
@SecurityRequirement(name = "bearer")
@SecurityRequirement(name = ApiKeyAuthenticationMechanism.SCHEME)
@Produces(MediaType.APPLICATION_JSON)
public class ConversationResource {

    @Inject
    ConversationService service;

    @Inject
    Idempotency idempotency;

    @Context
    UriInfo uriInfo;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "createConversation", summary = "Create a conversation")
    @APIResponse(responseCode = "201", description = "Created; Location names the new conversation",
            content = @Content(schema = @Schema(implementation = ConversationView.class)))
    @RateLimited(RateLimiter.Kind.WRITES)
    public Response create(
            @Parameter(description = "Retries with the same key and body return the first answer")
            @HeaderParam(Idempotency.HEADER) String idempotencyKey,
            @Valid ConversationInput input) {
        ConversationInput body = input == null ? ConversationInput.EMPTY : input;
        return idempotency.run(idempotencyKey, "POST /api/conversations", body, true, () -> {
            Conversation created = service.create(body.toNewConversation());
            return Response.created(uriInfo.getAbsolutePathBuilder().path(created.id.toString()).build())
                    .entity(ConversationView.of(created)).build();
        });
    }

    @GET
    @RateLimited(RateLimiter.Kind.READS)
    @Operation(operationId = "listConversations", summary = "List conversations, most recent activity first")
    @APIResponse(responseCode = "200", description = "A page of conversations",
            content = @Content(schema = @Schema(implementation = ConversationPage.class)))
    public Page<ConversationView> list(@Valid @BeanParam ConversationListParams params,
            @BeanParam PagingParams paging) {
        PageRequest request = paging.toRequest();
        return Page.of(service.list(params.q(), params.archived(), params.pinned(),
                ConversationService.tagFilter(params.tags()), request).map(ConversationView::of), uriInfo);
    }

    @GET
    @RateLimited(RateLimiter.Kind.READS)
    @Path("/{id}")
    @Operation(operationId = "getConversation", summary = "Get one conversation")
    @APIResponse(responseCode = "200", description = "The conversation",
            content = @Content(schema = @Schema(implementation = ConversationView.class)))
    public Response get(@PathParam("id") String id) {
        return withETag(service.get(Ids.parse("id", id)));
    }

    @PATCH
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "updateConversation", summary = "Change some fields of a conversation")
    @APIResponse(responseCode = "200", description = "The changed conversation",
            content = @Content(schema = @Schema(implementation = ConversationView.class)))
    @APIResponse(responseCode = "409", description = "Changed concurrently by another request")
    @RateLimited(RateLimiter.Kind.WRITES)
    public Response patch(@PathParam("id") String id, @HeaderParam("If-Match") String ifMatch,
            @NotNull @Valid ConversationPatch patch) {
        return withETag(service.patch(Ids.parse("id", id), patch, IfMatch.parse(ifMatch)));
    }

    @PUT
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "replaceConversation",
            summary = "Replace a conversation's fields; omitted fields return to their defaults")
    @APIResponse(responseCode = "200", description = "The replaced conversation",
            content = @Content(schema = @Schema(implementation = ConversationView.class)))
    @APIResponse(responseCode = "409", description = "Changed concurrently by another request")
    @RateLimited(RateLimiter.Kind.WRITES)
    public Response replace(@PathParam("id") String id, @HeaderParam("If-Match") String ifMatch,
            @NotNull @Valid ConversationInput input) {
        return withETag(service.replace(Ids.parse("id", id), input.toNewConversation(), IfMatch.parse(ifMatch)));
    }

    @DELETE
    @Path("/{id}")
    @Operation(operationId = "deleteConversation", summary = "Delete a conversation and its messages")
    @APIResponse(responseCode = "204", description = "Deleted")
    @RateLimited(RateLimiter.Kind.WRITES)
    public Response delete(@PathParam("id") String id, @HeaderParam("If-Match") String ifMatch) {
        service.delete(Ids.parse("id", id), IfMatch.parse(ifMatch));
        return Response.noContent().build();
    }

    @DELETE
    @Path("/all")
    @Operation(operationId = "deleteAllConversations",
            summary = "Delete all of the caller's conversations, archived ones included")
    @APIResponse(responseCode = "200", description = "How many were deleted",
            content = @Content(schema = @Schema(implementation = BulkDeleteResult.class)))
    @RateLimited(RateLimiter.Kind.WRITES)
    public BulkDeleteResult deleteAll() {
        return BulkDeleteResult.of(service.deleteAll());
    }

    @DELETE
    @Operation(operationId = "deleteConversationsBySelector",
            summary = "Delete the caller's conversations holding a message with this thread_id or endpoint",
            description = "Exactly one selector is required; archived conversations are included. "
                    + "DELETE /api/conversations/all deletes every conversation of the caller.")
    @APIResponse(responseCode = "200", description = "How many were deleted",
            content = @Content(schema = @Schema(implementation = BulkDeleteResult.class)))
    @APIResponse(responseCode = "400", description = "No selector, or more than one")
    @RateLimited(RateLimiter.Kind.WRITES)
    public BulkDeleteResult deleteMatching(@Valid @BeanParam DeleteSelector selector) {
        selector.requireOne();
        return BulkDeleteResult.of(selector.threadId() != null ? service.deleteByThread(selector.threadId())
                : service.deleteByEndpoint(selector.endpoint()));
    }

    private static Response withETag(Conversation conversation) {
        return Response.ok(ConversationView.of(conversation)).header("ETag", IfMatch.etag(conversation.version))
                .build();
    }


    /** For the OpenAPI document: a page of conversations. */
    @Schema(name = "ConversationPage")
    public record ConversationPage(@Schema(nullable = true) Long count, @Schema(nullable = true) String next,
            @Schema(nullable = true) String previous, @Schema(nullable = true) String nextCursor,
            List<ConversationView> results) {
    }
}
