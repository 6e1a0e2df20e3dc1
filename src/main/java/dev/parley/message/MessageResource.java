package dev.parley.message;

import dev.parley.apikey.ApiKeyAuthenticationMechanism;
import dev.parley.common.IfMatch;
import dev.parley.common.Ids;
import dev.parley.idempotency.Idempotency;
import dev.parley.pagination.Page;
import dev.parley.pagination.Slice;
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
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/conversations/{conversationId}/messages")
@Tag(name = "Messages", description = "Messages of one of the caller's conversations")
@Authenticated
@SecurityRequirement(name = "bearer")
@SecurityRequirement(name = ApiKeyAuthenticationMechanism.SCHEME)
@Produces(MediaType.APPLICATION_JSON)
public class MessageResource {

    @Inject
    MessageService service;

    @Inject
    BranchService branches;

    @Inject
    Idempotency idempotency;

    @Context
    UriInfo uriInfo;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "createMessage", summary = "Add a message",
            description = "A user message in a conversation with auto_reply on returns at once with "
                    + "assistant_message_id naming a pending reply, which becomes complete or failed.")
    @APIResponse(responseCode = "201", description = "Stored; Location names the message",
            content = @Content(schema = @Schema(implementation = MessageCreatedView.class)))
    @RateLimited(RateLimiter.Kind.WRITES)
    public Response create(@PathParam("conversationId") String conversationId,
            @Parameter(description = "Retries with the same key and body return the first answer")
            @HeaderParam(Idempotency.HEADER) String idempotencyKey,
            @NotNull @Valid MessageInput input) {
        UUID cid = Ids.parse("conversation_id", conversationId);
        NewMessage message = input.toNewMessage();
        return idempotency.run(idempotencyKey, "POST /api/conversations/" + cid + "/messages", input, true,
                () -> service.spendReplyBudget(cid, message), () -> {
            MessageService.Created created = service.create(cid, message, MessageService.ReplyMode.AUTO);
            return Response.created(uriInfo.getAbsolutePathBuilder().path(created.message().id.toString()).build())
                    .entity(new MessageCreatedView(service.view(created.message()),
                            created.reply() == null ? null : created.reply().id))
                    .build();
        });
    }

    @GET
    @RateLimited(RateLimiter.Kind.READS)
    @Operation(operationId = "listMessages", summary = "List messages, oldest first (order=desc for newest first)",
            description = "path=all (default) lists every message of every branch; path=active only the active path, "
                    + "from the root to the conversation's current leaf.")
    @APIResponse(responseCode = "200", description = "A page of messages",
            content = @Content(schema = @Schema(implementation = MessagePage.class)))
    public Page<MessageView> list(@PathParam("conversationId") String conversationId,
            @Valid @BeanParam MessageListParams params, @BeanParam PagingParams paging) {
        UUID cid = Ids.parse("conversation_id", conversationId);
        PageRequest request = paging.toRequest();
        Slice<MessageView> page = params.activePath()
                ? service.viewsOf(branches.activePath(cid, params.q(), params.role(), params.newestFirst(), request))
                : service.list(cid, params.q(), params.role(), params.newestFirst(), request);
        return Page.of(page, uriInfo);
    }

    @GET
    @RateLimited(RateLimiter.Kind.READS)
    @Path("/{messageId}")
    @Operation(operationId = "getMessage", summary = "Get one message")
    @APIResponse(responseCode = "200", description = "The message",
            content = @Content(schema = @Schema(implementation = MessageView.class)))
    public Response get(@PathParam("conversationId") String conversationId,
            @PathParam("messageId") String messageId) {
        return withETag(service.get(Ids.parse("conversation_id", conversationId),
                Ids.parse("message_id", messageId)));
    }

    @PATCH
    @Path("/{messageId}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "updateMessage", summary = "Change some fields of a message (its role cannot change)")
    @APIResponse(responseCode = "200", description = "The changed message",
            content = @Content(schema = @Schema(implementation = MessageView.class)))
    @APIResponse(responseCode = "409", description = "The reply is still pending")
    @RateLimited(RateLimiter.Kind.WRITES)
    public Response patch(@PathParam("conversationId") String conversationId,
            @PathParam("messageId") String messageId, @HeaderParam("If-Match") String ifMatch,
            @NotNull @Valid MessagePatch patch) {
        return withETag(service.patch(Ids.parse("conversation_id", conversationId),
                Ids.parse("message_id", messageId), patch, IfMatch.parse(ifMatch)));
    }

    @PUT
    @Path("/{messageId}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "replaceMessage",
            summary = "Replace a message's writable fields; omitted ones return to their defaults")
    @APIResponse(responseCode = "200", description = "The replaced message",
            content = @Content(schema = @Schema(implementation = MessageView.class)))
    @APIResponse(responseCode = "409", description = "The reply is still pending")
    @RateLimited(RateLimiter.Kind.WRITES)
    public Response replace(@PathParam("conversationId") String conversationId,
            @PathParam("messageId") String messageId, @HeaderParam("If-Match") String ifMatch,
            @NotNull @Valid MessageInput input) {
        return withETag(service.replace(Ids.parse("conversation_id", conversationId),
                Ids.parse("message_id", messageId), input, IfMatch.parse(ifMatch)));
    }

    @DELETE
    @Path("/{messageId}")
    @Operation(operationId = "deleteMessage", summary = "Delete a message and every message below it",
            description = "Its replies, edits and their branches go with it. When the current leaf was among them, "
                    + "the current leaf becomes the most recent leaf left under the message's parent.")
    @APIResponse(responseCode = "204", description = "Deleted")
    @RateLimited(RateLimiter.Kind.WRITES)
    public Response delete(@PathParam("conversationId") String conversationId,
            @PathParam("messageId") String messageId, @HeaderParam("If-Match") String ifMatch) {
        service.delete(Ids.parse("conversation_id", conversationId), Ids.parse("message_id", messageId),
                IfMatch.parse(ifMatch));
        return Response.noContent().build();
    }

    private Response withETag(Message message) {
        return Response.ok(service.view(message)).header("ETag", IfMatch.etag(message.version)).build();
    }

    /** For the OpenAPI document: a page of messages. */
    @Schema(name = "MessagePage")
    public record MessagePage(@Schema(nullable = true) Long count, @Schema(nullable = true) String next,
            @Schema(nullable = true) String previous, @Schema(nullable = true) String nextCursor,
            List<MessageView> results) {
    }
}
