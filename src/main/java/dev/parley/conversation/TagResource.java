package dev.parley.conversation;

import dev.parley.apikey.ApiKeyAuthenticationMechanism;
import dev.parley.ratelimit.RateLimited;
import dev.parley.ratelimit.RateLimiter;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/tags")
@Tag(name = "Conversations", description = "The caller's conversations")
@Authenticated
@SecurityRequirement(name = "bearer")
@SecurityRequirement(name = ApiKeyAuthenticationMechanism.SCHEME)
@Produces(MediaType.APPLICATION_JSON)
public class TagResource {

    @Inject
    ConversationService service;

    /** The caller's tags; a user has at most 16 per conversation, and the list stops at 1 000 tags. */
    @RegisterForReflection
    @Schema(name = "TagList")
    public record TagList(List<TagView> results) {
    }

    @RegisterForReflection
    @Schema(name = "TagCount")
    public record TagView(@Schema(examples = "travel") String tag,
            @Schema(description = "How many of the caller's conversations (archived ones too) carry the tag")
            long conversationCount) {
    }

    @GET
    @RateLimited(RateLimiter.Kind.READS)
    @Operation(operationId = "listTags", summary = "List the caller's tags with how many conversations carry each",
            description = "Most used first, then by name; at most 1 000 tags.")
    @APIResponse(responseCode = "200", description = "The tags",
            content = @Content(schema = @Schema(implementation = TagList.class)))
    public TagList list() {
        return new TagList(service.tags().stream()
                .map(t -> new TagView(t.tag(), t.conversationCount())).toList());
    }
}
