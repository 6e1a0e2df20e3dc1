package dev.parley.conversation;

import dev.parley.common.QueryText;
import dev.parley.error.ProblemException;
import jakarta.ws.rs.QueryParam;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

/**
 * Which conversations a bulk delete takes: those holding a message with this thread_id or this
 * endpoint. Exactly one is required, so that a request without one cannot delete everything.
 */
public class DeleteSelector {

    @QueryParam("thread_id")
    @Parameter(description = "Delete the conversations holding a message of this thread")
    @QueryText
    String threadId;

    @QueryParam("endpoint")
    @Parameter(description = "Delete the conversations holding a message sent to this endpoint")
    @QueryText
    String endpoint;

    /** The thread to delete by, or null when the endpoint is the selector. */
    public String threadId() {
        return threadId;
    }

    public String endpoint() {
        return endpoint;
    }

    /** 400 unless exactly one selector is given, and it is not empty. */
    public void requireOne() {
        if (threadId != null && endpoint != null) {
            throw new ProblemException(400, "Give one selector: thread_id or endpoint",
                    Map.of("thread_id", List.of("cannot be combined with endpoint")));
        }
        if ((threadId == null || threadId.isEmpty()) && (endpoint == null || endpoint.isEmpty())) {
            throw new ProblemException(400,
                    "A selector is required: thread_id or endpoint (use DELETE /api/conversations/all to delete all)",
                    Map.of(endpoint != null ? "endpoint" : "thread_id", List.of("must not be empty")));
        }
    }
}
