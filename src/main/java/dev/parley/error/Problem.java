package dev.parley.error;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** RFC 9457 problem details, the one error shape of the API (SPEC §4.2). */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = "Problem", description = "RFC 9457 problem details")
public record Problem(
        @Schema(examples = "about:blank") String type,
        @Schema(examples = "Bad Request") String title,
        @Schema(examples = "400") int status,
        @Schema(examples = "The request is not valid") String detail,
        @Schema(examples = "/api/conversations") String instance,
        Instant timestamp,
        @Schema(description = "Field (JSON name or query parameter) to its messages")
        Map<String, List<String>> errors,
        @Schema(description = "Set on server errors; the same id is in the logs and the X-Request-Id header")
        String correlationId) {

    public static final String MEDIA_TYPE = "application/problem+json";
}
