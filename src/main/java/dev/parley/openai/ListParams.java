package dev.parley.openai;

import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.QueryParam;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

/**
 * The paging query parameters of OpenAI's lists, checked by Bean Validation: a bad one is a 400
 * whose error names it as param.
 */
public class ListParams {

    private static final int DEFAULT_LIMIT = 20;

    @QueryParam("after")
    @Parameter(description = "An id of the previous page (its last_id): this page starts after it")
    String after;

    @QueryParam("limit")
    @Parameter(description = "1 to 100 (default 20)",
            schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "100"))
    @Pattern(regexp = "\\s*\\+?0*([1-9][0-9]?|100)\\s*", message = "must be a number from 1 to 100")
    String limit;

    @QueryParam("order")
    @Parameter(description = "desc (default, newest first) or asc", schema = @Schema(enumeration = {"asc", "desc"}))
    @Pattern(regexp = "asc|desc", message = "must be asc or desc")
    String order;

    OpenAiConversations.Paging paging() {
        return new OpenAiConversations.Paging(after == null || after.isBlank() ? null : after,
                limit == null ? DEFAULT_LIMIT : Integer.parseInt(limit.strip()), !"asc".equals(order));
    }
}
