package dev.parley.assistant;

import dev.parley.apikey.ApiKeyAuthenticationMechanism;
import dev.parley.common.Ids;
import dev.parley.message.BranchResource;
import dev.parley.message.MessageTree;
import dev.parley.message.Role;
import dev.parley.ratelimit.RateLimited;
import dev.parley.ratelimit.RateLimiter;
import dev.parley.security.CurrentUser;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/conversations/{conversationId}/context")
@Tag(name = BranchResource.TAG, description = BranchResource.TAG_DESCRIPTION)
@Authenticated
@SecurityRequirement(name = "bearer")
@SecurityRequirement(name = ApiKeyAuthenticationMechanism.SCHEME)
@Produces(MediaType.APPLICATION_JSON)
public class ContextResource {

    @Inject
    MessageTree tree;

    @Inject
    ReplyStore store;

    @Inject
    AssistantConfig config;

    @Inject
    ContextWindow context;

    @Inject
    CurrentUser user;

    @RegisterForReflection
    @Schema(name = "ContextMessage")
    public record ContextMessage(UUID id, Role role,
            @Schema(description = "Its tokens, the chat format's per-message overhead included") int tokens) {
    }

    @RegisterForReflection
    @Schema(name = "ContextWindow")
    public record ContextView(
            UUID conversationId,
            @Schema(nullable = true, implementation = String.class, format = "uuid",
                    description = "The current leaf; null when the conversation has no messages") UUID leafId,
            @Schema(nullable = true, implementation = String.class, format = "uuid",
                    description = "When the current leaf is a reply still being generated: that reply, whose context "
                            + "this is; null: the context of the next reply") UUID replyId,
            @Schema(description = "The JTokkit encoding that counted the tokens", examples = "o200k_base")
            String tokenizer,
            @Schema(description = "parley.assistant.context-tokens") int budget,
            @Schema(description = "Tokens of the system prompt (0 when none is sent)") int systemPromptTokens,
            @Schema(description = "System prompt plus messages") int totalTokens,
            @Schema(description = "Whether older messages of the active path were left out") boolean trimmed,
            @Schema(description = "What is sent after the system prompt, oldest first") List<ContextMessage> messages) {
    }

    @GET
    @RateLimited(RateLimiter.Kind.READS)
    @Transactional(Transactional.TxType.SUPPORTS)
    @Operation(operationId = "getContext", summary = "Show what the next reply sends the model",
            description = "The messages of the active path (ids, roles, token counts) that the next reply would send, "
                    + "newest kept first within the token budget, and their total with the system prompt. Only "
                    + "complete messages are sent.")
    @APIResponse(responseCode = "200", description = "The context window",
            content = @Content(schema = @Schema(implementation = ContextView.class)))
    public ContextView get(@PathParam("conversationId") String conversationId) {
        UUID cid = Ids.parse("conversation_id", conversationId);
        UUID leaf = tree.currentLeaf(cid);
        UUID start = leaf == null ? null : store.nextContextStart(user.id(), leaf);
        ContextWindow.Window window = start == null ? context.fit(List.of(), false)
                : store.window(user.id(), cid, start, config.historyWindow());
        return new ContextView(cid, leaf, leaf != null && !leaf.equals(start) ? leaf : null, context.tokenizer(),
                window.budget(), window.systemPromptTokens(), window.totalTokens(), window.trimmed(),
                window.messages().stream().map(e -> new ContextMessage(e.id(), e.role(), e.tokens())).toList());
    }
}
