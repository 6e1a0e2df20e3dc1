package dev.parley.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.apikey.ApiKeyAuthenticationMechanism;
import dev.parley.ratelimit.RateLimited;
import dev.parley.ratelimit.RateLimiter;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/v1/conversations")
@Tag(name = OpenAiApi.TAG, description = OpenAiApi.TAG_DESCRIPTION)
@Authenticated
@SecurityRequirement(name = "bearer")
@SecurityRequirement(name = ApiKeyAuthenticationMechanism.SCHEME)
@Produces(MediaType.APPLICATION_JSON)
@APIResponse(responseCode = "400", description = "Invalid or unsupported field; param names it")
public class ConversationsResource {

    @Inject
    OpenAiConversations service;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RateLimited(RateLimiter.Kind.WRITES)
    @Operation(operationId = "openAiCreateConversation", summary = "Create a conversation (OpenAI)",
            description = "Optionally with metadata and up to 20 first items; items never trigger a reply.")
    @APIResponse(responseCode = "200", description = "The conversation",
            content = @Content(schema = @Schema(implementation = ConversationObject.class)))
    public ConversationObject create(ConversationCreate body) {
        JsonNode items = body == null ? null : body.items();
        return service.create(body == null ? null : body.metadata(),
                items == null || items.isNull() ? List.of() : Items.parse(items, "items"));
    }

    @GET
    @RateLimited(RateLimiter.Kind.READS)
    @Operation(operationId = "openAiListConversations", summary = "List the caller's conversations (Parley's addition)",
            description = "OpenAI's API cannot list conversations; this uses the list envelope of items.")
    @APIResponse(responseCode = "200", description = "A page of conversations",
            content = @Content(schema = @Schema(implementation = ConversationList.class)))
    public ConversationList list(@Valid @BeanParam ListParams params) {
        return service.list(params.paging());
    }

    @GET
    @Path("/{conversationId}")
    @RateLimited(RateLimiter.Kind.READS)
    @Operation(operationId = "openAiGetConversation", summary = "Get a conversation (OpenAI)")
    @APIResponse(responseCode = "200", description = "The conversation",
            content = @Content(schema = @Schema(implementation = ConversationObject.class)))
    public ConversationObject get(@PathParam("conversationId") String conversationId) {
        return service.get(conversationId);
    }

    @POST
    @Path("/{conversationId}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RateLimited(RateLimiter.Kind.WRITES)
    @Operation(operationId = "openAiUpdateConversation", summary = "Replace a conversation's metadata (OpenAI)")
    @APIResponse(responseCode = "200", description = "The conversation",
            content = @Content(schema = @Schema(implementation = ConversationObject.class)))
    public ConversationObject update(@PathParam("conversationId") String conversationId, ConversationCreate body) {
        return service.update(conversationId, body == null ? null : body.metadata());
    }

    @DELETE
    @Path("/{conversationId}")
    @RateLimited(RateLimiter.Kind.WRITES)
    @Operation(operationId = "openAiDeleteConversation", summary = "Delete a conversation and its items (OpenAI)")
    @APIResponse(responseCode = "200", description = "Deleted",
            content = @Content(schema = @Schema(implementation = ConversationDeleted.class)))
    public ConversationDeleted delete(@PathParam("conversationId") String conversationId) {
        return service.delete(conversationId);
    }

    @POST
    @Path("/{conversationId}/items")
    @Consumes(MediaType.APPLICATION_JSON)
    @RateLimited(RateLimiter.Kind.WRITES)
    @Operation(operationId = "openAiCreateItems", summary = "Add items to a conversation (OpenAI)",
            description = "1 to 20 items, stored in order in one transaction; no reply is made.")
    @APIResponse(responseCode = "200", description = "The stored items",
            content = @Content(schema = @Schema(implementation = ItemList.class)))
    public ItemList addItems(@PathParam("conversationId") String conversationId,
            @Parameter(description = "Accepted and ignored (OpenAI's optional extra fields)") @QueryParam("include")
            String include, ItemsCreate body) {
        // The id first: a conversation id Parley cannot have issued is a 404 whatever the body holds.
        UUID cid = OpenAiIds.conversationId(conversationId);
        return service.addItems(cid, Items.parse(body == null ? null : body.items(), "items"));
    }

    @GET
    @Path("/{conversationId}/items")
    @RateLimited(RateLimiter.Kind.READS)
    @Operation(operationId = "openAiListItems", summary = "List a conversation's items (OpenAI)")
    @APIResponse(responseCode = "200", description = "A page of items; has_more and last_id lead to the next",
            content = @Content(schema = @Schema(implementation = ItemList.class)))
    public ItemList listItems(@PathParam("conversationId") String conversationId, @Valid @BeanParam ListParams params,
            @Parameter(description = "Accepted and ignored") @QueryParam("include") String include) {
        return service.listItems(conversationId, params.paging());
    }

    @GET
    @Path("/{conversationId}/items/{itemId}")
    @RateLimited(RateLimiter.Kind.READS)
    @Operation(operationId = "openAiGetItem", summary = "Get one item (OpenAI)")
    @APIResponse(responseCode = "200", description = "The item",
            content = @Content(schema = @Schema(implementation = Item.class)))
    public Item getItem(@PathParam("conversationId") String conversationId, @PathParam("itemId") String itemId,
            @Parameter(description = "Accepted and ignored") @QueryParam("include") String include) {
        return service.getItem(conversationId, itemId);
    }

    @DELETE
    @Path("/{conversationId}/items/{itemId}")
    @RateLimited(RateLimiter.Kind.WRITES)
    @Operation(operationId = "openAiDeleteItem", summary = "Delete one item (OpenAI)")
    @APIResponse(responseCode = "200", description = "The conversation the item was in",
            content = @Content(schema = @Schema(implementation = ConversationObject.class)))
    public ConversationObject deleteItem(@PathParam("conversationId") String conversationId,
            @PathParam("itemId") String itemId) {
        return service.deleteItem(conversationId, itemId);
    }
}
