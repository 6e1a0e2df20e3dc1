package dev.parley.pagination;

import jakarta.ws.rs.QueryParam;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

/**
 * The paging query parameters every list shares (SPEC §4.1), taken as text so that a bad value is
 * a 400 naming the parameter rather than a 404 from parameter conversion.
 */
public class PagingParams {

    @QueryParam("page")
    @Parameter(description = "1-based page number; pages may skip at most 10 000 rows (parley.pagination.max-offset), "
            + "use cursor beyond", schema = @Schema(type = SchemaType.INTEGER, minimum = "1"))
    String page;

    @QueryParam("page_size")
    @Parameter(description = "Rows per page, 1..100 (default 20)",
            schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "100"))
    String pageSize;

    @QueryParam("cursor")
    @Parameter(description = "next_cursor of a previous answer: continue with keyset pagination")
    String cursor;

    @QueryParam("count")
    @Parameter(description = "With a cursor, also count all matching rows", schema = @Schema(type = SchemaType.BOOLEAN))
    String count;

    public PageRequest toRequest() {
        return PageRequest.parse(page, pageSize, cursor, count, ConfigProvider.getConfig()
                .getOptionalValue("parley.pagination.max-offset", Integer.class).orElse(PageRequest.DEFAULT_MAX_OFFSET));
    }
}
