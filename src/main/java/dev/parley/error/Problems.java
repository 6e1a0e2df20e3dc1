package dev.parley.error;

import io.vertx.core.http.HttpServerResponse;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/** Builds every problem response, so that all errors share one shape. */
public final class Problems {

    public static final String REQUEST_ID_HEADER = "X-Request-Id";
    /** Routing-context key set when the client hung up before its request was read whole. */
    public static final String CLIENT_GONE_KEY = "parley.client-gone";

    private Problems() {
    }

    public static Problem of(int status, String detail, String instance, Map<String, List<String>> errors,
            String correlationId) {
        Response.Status known = Response.Status.fromStatusCode(status);
        String title = known != null ? known.getReasonPhrase() : titleFor(status);
        return new Problem("about:blank", title, status, detail, instance,
                Instant.now().truncatedTo(ChronoUnit.MILLIS), errors, correlationId);
    }

    /** The problem as the client expects it: problem+json, or OpenAI's envelope under /v1. */
    public static Response response(Problem problem) {
        if (OpenAiError.covers(problem.instance())) {
            return OpenAiError.response(problem);
        }
        Response.ResponseBuilder builder = Response.status(problem.status())
                .type(Problem.MEDIA_TYPE)
                .entity(problem);
        if (problem.status() == 401) {
            builder.header("WWW-Authenticate", "Bearer");
        }
        return builder.build();
    }

    static String correlationId(HttpServerResponse response) {
        return response == null ? null : response.headers().get(REQUEST_ID_HEADER);
    }

    private static String titleFor(int status) {
        return switch (status) {
            case 422 -> "Unprocessable Content";
            case 429 -> "Too Many Requests";
            default -> status >= 500 ? "Server Error" : "Client Error";
        };
    }
}
