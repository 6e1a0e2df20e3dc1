package dev.parley.error;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The error body of the OpenAI-compatible API under /v1: OpenAI's envelope, so that the official
 * SDKs put the message, type, param and code into their typed exceptions. Every other path keeps
 * problem+json; the two are made from the same {@link Problem}, so an error means the same on both.
 */
@RegisterForReflection
@Schema(name = "OpenAiError", description = "OpenAI's error envelope, used on every /v1 error")
public record OpenAiError(@Schema(required = true) Detail error) {

    /** The paths whose errors take this shape. */
    public static final String PREFIX = "/v1/";

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.ALWAYS)
    @Schema(name = "OpenAiErrorDetail")
    public record Detail(
            @Schema(required = true, examples = "No conversation conv_0193…") String message,
            @Schema(required = true, examples = "invalid_request_error",
                    description = "invalid_request_error, authentication_error, permission_error, not_found_error, "
                            + "rate_limit_error or server_error") String type,
            @Schema(required = true, nullable = true, examples = "input",
                    description = "The request field or query parameter at fault") String param,
            @Schema(required = true, nullable = true, examples = "invalid_value") String code) {
    }

    public static boolean covers(String path) {
        return path != null && (path.startsWith(PREFIX) || path.equals("/v1"));
    }

    public static OpenAiError of(Problem problem) {
        Map<String, List<String>> errors = problem.errors();
        String param = null;
        String message = problem.detail();
        if (errors != null && !errors.isEmpty()) {
            param = errors.keySet().iterator().next();
            message = message + ": " + errors.entrySet().stream()
                    .map(e -> e.getKey() + " " + String.join(", ", e.getValue()))
                    .collect(Collectors.joining("; "));
        }
        if (problem.correlationId() != null) {
            message = message + " (correlation id " + problem.correlationId() + ")";
        }
        int status = problem.status();
        String type = switch (status) {
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 429 -> "rate_limit_error";
            default -> status >= 500 ? "server_error" : "invalid_request_error";
        };
        String code = switch (status) {
            case 400 -> param == null ? "invalid_request" : "invalid_value";
            case 401 -> "invalid_api_key";
            case 403 -> "insufficient_permissions";
            case 404 -> "not_found";
            case 429 -> "rate_limit_exceeded";
            default -> status >= 500 ? "server_error" : null;
        };
        return new OpenAiError(new Detail(message, type, param, code));
    }

    static Response response(Problem problem) {
        Response.ResponseBuilder builder = Response.status(problem.status())
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(of(problem));
        if (problem.status() == 401) {
            builder.header("WWW-Authenticate", "Bearer");
        }
        return builder.build();
    }
}
