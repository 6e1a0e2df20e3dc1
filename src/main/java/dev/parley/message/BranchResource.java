package dev.parley.message;

import dev.parley.apikey.ApiKeyAuthenticationMechanism;
import dev.parley.common.Ids;
import dev.parley.conversation.Conversation;
import dev.parley.conversation.ConversationView;
import dev.parley.idempotency.Idempotency;
import dev.parley.ratelimit.RateLimited;
import dev.parley.ratelimit.RateLimiter;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
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

@Path("/api/conversations/{conversationId}")
@Tag(name = BranchResource.TAG, description = BranchResource.TAG_DESCRIPTION)
@Authenticated
@SecurityRequirement(name = "bearer")
@SecurityRequirement(name = ApiKeyAuthenticationMechanism.SCHEME)
@Produces(MediaType.APPLICATION_JSON)
@APIResponse(responseCode = "400", description = "Invalid id or body, or an operation the message's role does not allow")
public class BranchResource {

    /** The tag of every operation on branches, here and in assistant.ContextResource. */
    public static final String TAG = "Branches";
    public static final String TAG_DESCRIPTION = "Edit and regenerate make branches; the current leaf chooses the one "
            + "shown and sent to the model";

    @Inject
    BranchService branches;

    @Inject
    MessageService messages;

    @Inject
    Idempotency idempotency;

    @Context
    UriInfo uriInfo;

    /** The versions of a message. */
    @RegisterForReflection
    @Schema(name = "SiblingList")
    public record SiblingList(List<MessageView> results) {
    }

    @POST
    @Path("/messages/{messageId}/edit")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "editMessage", summary = "Edit a user message as a new version",
            description = "Stores a sibling of the user message (same parent) with the new content and makes it the "
                    + "current leaf; with auto_reply on, assistant_message_id names its pending reply. The old "
                    + "version and its replies stay on their branch.")
    @APIResponse(responseCode = "201", description = "The new version; Location names it",
            content = @Content(schema = @Schema(implementation = MessageCreatedView.class)))
    @RateLimited(RateLimiter.Kind.WRITES)
    public Response edit(@PathParam("conversationId") String conversationId, @PathParam("messageId") String messageId,
            @Parameter(description = "Retries with the same key and body return the first answer")
            @HeaderParam(Idempotency.HEADER) String idempotencyKey,
            @NotNull @Valid EditInput input) {
        UUID cid = Ids.parse("conversation_id", conversationId);
        UUID mid = Ids.parse("message_id", messageId);
        return idempotency.run(idempotencyKey, "POST /api/conversations/" + cid + "/messages/" + mid + "/edit", input,
                true, () -> branches.spendEditBudget(cid, input), () -> created(cid, branches.edit(cid, mid, input),
                        true));
    }

    @POST
    @Path("/messages/{messageId}/regenerate")
    @Operation(operationId = "regenerateMessage", summary = "Generate another version of an assistant reply",
            description = "Stores a new pending reply to the message the reply answers (a sibling of the reply), makes "
                    + "it the current leaf and generates it in the background like any reply: poll it until it is "
                    + "complete or failed. POST /api/chat with regenerate: true does the same and waits for (or "
                    + "streams) the answer.")
    @APIResponse(responseCode = "201", description = "The pending reply; Location names it",
            content = @Content(schema = @Schema(implementation = MessageView.class)))
    @APIResponse(responseCode = "409", description = "The reply is still being generated, or answers no message")
    @RateLimited(RateLimiter.Kind.CHAT)
    public Response regenerate(@PathParam("conversationId") String conversationId,
            @PathParam("messageId") String messageId) {
        UUID cid = Ids.parse("conversation_id", conversationId);
        MessageService.Created created = branches.regenerate(cid, Ids.parse("message_id", messageId), false);
        return Response.created(messageUri(cid, created.reply().id)).entity(messages.view(created.reply())).build();
    }

    @GET
    @Path("/messages/{messageId}/siblings")
    @RateLimited(RateLimiter.Kind.READS)
    @Operation(operationId = "listSiblings", summary = "List the versions of a message",
            description = "The messages sharing its parent (its edits, or a reply's regenerations), itself included, "
                    + "oldest first; switch to one with PUT /api/conversations/{conversationId}/current.")
    @APIResponse(responseCode = "200", description = "The siblings",
            content = @Content(schema = @Schema(implementation = SiblingList.class)))
    public SiblingList siblings(@PathParam("conversationId") String conversationId,
            @PathParam("messageId") String messageId) {
        return new SiblingList(messages.views(branches.siblings(Ids.parse("conversation_id", conversationId),
                Ids.parse("message_id", messageId))));
    }

    @PUT
    @Path("/current")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "switchBranch", summary = "Switch the conversation to another branch",
            description = "leaf_id may name any message of the conversation; the current leaf becomes the most recent "
                    + "leaf at or below it, and the active path (what is listed with path=active and sent to the "
                    + "model) runs from the root to that leaf.")
    @APIResponse(responseCode = "200", description = "The conversation with its new current_leaf_id",
            content = @Content(schema = @Schema(implementation = ConversationView.class)))
    @RateLimited(RateLimiter.Kind.WRITES)
    public ConversationView switchBranch(@PathParam("conversationId") String conversationId,
            @NotNull @Valid CurrentInput input) {
        return ConversationView.of(branches.switchTo(Ids.parse("conversation_id", conversationId), input.leafId()));
    }

    @POST
    @Path("/fork")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "forkConversation", summary = "Copy a branch into a new conversation",
            description = "Copies the path from the root to message_id (that message included) into a new conversation "
                    + "with metadata.forked_from (and forked_from_message); the copy of message_id is its current "
                    + "leaf. The source conversation is not changed.")
    @APIResponse(responseCode = "201", description = "The new conversation; Location names it",
            content = @Content(schema = @Schema(implementation = ConversationView.class)))
    @RateLimited(RateLimiter.Kind.WRITES)
    public Response fork(@PathParam("conversationId") String conversationId, @NotNull @Valid ForkInput input) {
        Conversation fork = branches.fork(Ids.parse("conversation_id", conversationId), input);
        return Response.created(uriInfo.getBaseUriBuilder().path("api/conversations").path(fork.id.toString()).build())
                .entity(ConversationView.of(fork)).build();
    }

    private Response created(UUID conversationId, MessageService.Created created, boolean withReply) {
        return Response.created(messageUri(conversationId, created.message().id))
                .entity(new MessageCreatedView(messages.view(created.message()),
                        withReply && created.reply() != null ? created.reply().id : null))
                .build();
    }

    private java.net.URI messageUri(UUID conversationId, UUID messageId) {
        return uriInfo.getBaseUriBuilder().path("api/conversations").path(conversationId.toString()).path("messages")
                .path(messageId.toString()).build();
    }
}
