package dev.parley.message;

import dev.parley.common.QueryText;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.QueryParam;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

/**
 * The query parameters of a message list, checked by Bean Validation before the list runs: a bad
 * value is a 400 naming the parameter. Taken as text (not enums) so that a bad value does not
 * fail parameter conversion, which JAX-RS answers with a 404.
 */
public class MessageListParams {

    @QueryParam("q")
    @Parameter(description = "Case-insensitive text in the content")
    @QueryText
    String q;

    @QueryParam("role")
    @Parameter(description = "Only messages of this role",
            schema = @Schema(enumeration = {"user", "assistant", "system", "tool"}))
    @Pattern(regexp = "user|assistant|system|tool", message = "must be one of [user, assistant, system, tool]")
    String role;

    @QueryParam("order")
    @Parameter(description = "asc (default) or desc", schema = @Schema(enumeration = {"asc", "desc"}))
    @Pattern(regexp = "asc|desc", message = "must be asc or desc")
    String order;

    @QueryParam("path")
    @Parameter(description = "all (default): every message; active: the branch from the root to the current leaf",
            schema = @Schema(enumeration = {"all", "active"}))
    @Pattern(regexp = "all|active", message = "must be all or active")
    String path;

    public String q() {
        return q;
    }

    /** The role to list, or null for every role. */
    public Role role() {
        return role == null ? null : Role.fromWire(role);
    }

    public boolean newestFirst() {
        return "desc".equals(order);
    }

    /** Only the branch from the root to the current leaf, rather than every message. */
    public boolean activePath() {
        return "active".equals(path);
    }
}
