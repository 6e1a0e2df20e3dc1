package dev.parley.search;

import dev.parley.apikey.ApiKeyAuthenticationMechanism;
import dev.parley.common.QueryText;
import dev.parley.pagination.Page;
import dev.parley.pagination.PagingParams;
import dev.parley.ratelimit.RateLimited;
import dev.parley.ratelimit.RateLimiter;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.validation.constraints.NotBlank;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/search")
@Tag(name = "Search", description = "Full-text search across the caller's messages")
@Authenticated
@SecurityRequirement(name = "bearer")
@SecurityRequirement(name = ApiKeyAuthenticationMechanism.SCHEME)
@Produces(MediaType.APPLICATION_JSON)
public class SearchResource {

    @Inject
    SearchService service;

    @Context
    UriInfo uriInfo;

    @GET
    @RateLimited(RateLimiter.Kind.READS)
    @Operation(operationId = "search", summary = "Search the caller's messages, most relevant first",
            description = "Web-search syntax: words, \"quoted phrases\", OR, -excluded. English stemming.")
    @APIResponse(responseCode = "200", description = "A page of matches",
            content = @Content(schema = @Schema(implementation = SearchPage.class)))
    @APIResponse(responseCode = "400", description = "Missing or blank q, or a bad paging parameter")
    public Page<SearchHit> search(
            @Parameter(description = "What to look for", required = true) @QueryParam("q") @NotBlank @QueryText
            String q,
            @BeanParam PagingParams paging) {
        return Page.of(service.search(q.strip(), paging.toRequest()), uriInfo);
    }

    /** For the OpenAPI document: a page of search results. */
    @Schema(name = "SearchPage")
    public record SearchPage(@Schema(nullable = true) Long count, @Schema(nullable = true) String next,
            @Schema(nullable = true) String previous, @Schema(nullable = true) String nextCursor,
            List<SearchHit> results) {
    }
}
