package dev.parley.error;

import java.util.List;
import java.util.Map;

/** An error the application raises on purpose; it leaves as a problem+json of its status. */
public class ProblemException extends RuntimeException {

    private final int status;
    private final Map<String, List<String>> errors;
    private final Map<String, String> headers;

    public ProblemException(int status, String detail, Map<String, List<String>> errors) {
        this(status, detail, errors, Map.of());
    }

    /** With response headers, such as Retry-After. */
    public ProblemException(int status, String detail, Map<String, List<String>> errors, Map<String, String> headers) {
        super(detail, null, false, false);
        this.status = status;
        this.errors = errors;
        this.headers = headers;
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(404, detail, null);
    }

    public static ProblemException badRequest(String field, String message) {
        return new ProblemException(400, "The request is not valid", Map.of(field, List.of(message)));
    }

    public static ProblemException forbidden(String detail) {
        return new ProblemException(403, detail, null);
    }

    public int status() {
        return status;
    }

    public Map<String, List<String>> errors() {
        return errors;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
