package dev.parley.conversation;

import dev.parley.common.QueryBoolean;
import dev.parley.common.QueryText;
import jakarta.ws.rs.QueryParam;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

/** The filters of a conversation list, checked by Bean Validation: a bad one is a 400 naming it. */
public class ConversationListParams {

    @QueryParam("q")
    @Parameter(description = "Case-insensitive text in title or description")
    @QueryText
    String q;

    @QueryParam("archived")
    @Parameter(description = "Archived conversations instead of active ones (default false)",
            schema = @Schema(type = SchemaType.BOOLEAN))
    @QueryBoolean
    String archived;

    @QueryParam("pinned")
    @Parameter(description = "Only pinned (true) or unpinned (false) conversations",
            schema = @Schema(type = SchemaType.BOOLEAN))
    @QueryBoolean
    String pinned;

    @QueryParam("tag")
    @Parameter(description = "Only conversations carrying this tag; repeat it for conversations carrying all "
            + "of them (?tag=work&tag=urgent)")
    List<String> tag;

    public String q() {
        return q;
    }

    public boolean archived() {
        return "true".equals(archived);
    }

    /** Only pinned (true) or unpinned (false) ones, or null for both. */
    public Boolean pinned() {
        return pinned == null ? null : Boolean.valueOf(pinned);
    }

    public List<String> tags() {
        return tag;
    }
}
