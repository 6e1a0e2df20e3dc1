package dev.parley.portability;

import dev.parley.error.ProblemException;
import dev.parley.security.CurrentUser;
import dev.parley.security.JwtOnly;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/me")
@Tag(name = "Account", description = "The caller's account as a whole")
@Authenticated
@SecurityRequirement(name = "bearer")
@Produces(MediaType.APPLICATION_JSON)
public class ErasureResource {

    @Inject
    Eraser eraser;

    @Inject
    CurrentUser user;


    /** What was erased: rows deleted per kind (table). */
    @RegisterForReflection
    @Schema(name = "ErasureResult")
    public record ErasureResult(
            String userId,
            @Schema(description = "Rows deleted per kind: conversation, message, idempotency_key, rate_limit_bucket, "
                    + "and any other table holding the user's rows",
                    examples = "{\"message\": 120, \"conversation\": 4, \"idempotency_key\": 2, \"rate_limit_bucket\": 1}")
            Map<String, Long> erased) {
    }

    // Not rate limited: the limiter would only write a bucket row for the user being erased.
    // Erasure takes the full login, a JWT: a narrower credential such as a personal API key must not
    // be able to destroy the account.
    @DELETE
    @JwtOnly("API keys cannot erase an account; use a bearer JWT")
    @Operation(operationId = "eraseMe", summary = "Erase everything the caller has stored",
            description = "Deletes all of the caller's conversations, messages, idempotency records, rate-limit "
                    + "state and any other row with their user id, at once and for good. Requires a bearer JWT and "
                    + "confirm equal to the caller's user id (the token's sub).")
    @APIResponse(responseCode = "200", description = "Erased; the counts of what was deleted",
            content = @Content(schema = @Schema(implementation = ErasureResult.class)))
    @APIResponse(responseCode = "400", description = "confirm is missing or is not the caller's user id")
    @APIResponse(responseCode = "403", description = "The caller used an API key, not a JWT")
    public ErasureResult eraseMe(
            @Parameter(required = true, description = "The caller's user id (the token's sub), as a confirmation")
            @QueryParam("confirm") String confirm) {
        String userId = user.id();
        if (!userId.equals(confirm)) {
            throw new ProblemException(400, "Confirm the erasure with confirm=<your user id>",
                    Map.of("confirm", List.of("must equal the caller's user id (the token's sub)")));
        }
        return new ErasureResult(userId, eraser.erase(userId));
    }
}
