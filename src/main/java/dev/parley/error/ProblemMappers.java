package dev.parley.error;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.security.AuthenticationCompletionException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.AuthenticationRedirectException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.persistence.OptimisticLockException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.hibernate.StaleStateException;
import org.hibernate.exception.JDBCConnectionException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Turns every exception that reaches the REST layer into one problem+json shape (SPEC §4.2).
 * Bodies never carry class names, SQL or stack traces; unexpected errors are logged with the
 * correlation id that the client also receives.
 */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ConfigProperty(name = "quarkus.http.limits.max-body-size")
    MemorySize maxBodySize;

    @Inject
    CurrentVertxRequest current;

    @ServerExceptionMapper
    public Response problem(ProblemException e, HttpServerRequest request) {
        Response response = respond(e.status(), e.getMessage(), e.errors(), request);
        if (e.headers().isEmpty()) {
            return response;
        }
        Response.ResponseBuilder builder = Response.fromResponse(response);
        e.headers().forEach(builder::header);
        return builder.build();
    }

    @ServerExceptionMapper
    public Response validation(ConstraintViolationException e, HttpServerRequest request) {
        Map<String, List<String>> errors = new TreeMap<>();
        for (ConstraintViolation<?> violation : e.getConstraintViolations()) {
            errors.computeIfAbsent(fieldName(violation.getPropertyPath()), k -> new ArrayList<>())
                    .add(violation.getMessage());
        }
        errors.values().forEach(messages -> messages.sort(null));
        return respond(400, "The request is not valid", errors, request);
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e, HttpServerRequest request) {
        return jsonProblem(e, request);
    }

    // Quarkus ships mappers for these subtypes; naming them here keeps ours in charge.
    @ServerExceptionMapper
    public Response jsonMismatch(MismatchedInputException e, HttpServerRequest request) {
        return jsonProblem(e, request);
    }

    @ServerExceptionMapper
    public Response jsonFormat(InvalidFormatException e, HttpServerRequest request) {
        return jsonProblem(e, request);
    }

    @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class,
            AuthenticationCompletionException.class, AuthenticationRedirectException.class})
    public Response unauthorized(RuntimeException e, HttpServerRequest request) {
        return respond(401, "A valid bearer token is required", null, request);
    }

    @ServerExceptionMapper(ForbiddenException.class)
    public Response forbidden(RuntimeException e, HttpServerRequest request) {
        return respond(403, "This action is not allowed for the caller", null, request);
    }

    @ServerExceptionMapper
    public Response optimisticLock(OptimisticLockException e, HttpServerRequest request) {
        return respond(409, "The resource was changed by another request; fetch it and retry", null, request);
    }

    @ServerExceptionMapper
    public Response staleState(StaleStateException e, HttpServerRequest request) {
        return respond(409, "The resource was changed by another request; fetch it and retry", null, request);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, HttpServerRequest request) {
        int status = e.getResponse().getStatus();
        if (e.getCause() instanceof JsonProcessingException json) {
            return jsonProblem(json, request);
        }
        if (status >= 500) {
            return unexpected(e, request);
        }
        String detail = switch (status) {
            case 404 -> "No resource at " + request.path();
            case 405 -> "Method " + request.method() + " is not allowed on " + request.path();
            case 406 -> "The requested media type cannot be produced";
            case 413 -> "The request body is too large";
            case 415 -> "Unsupported media type; send application/json";
            default -> "The request is not valid";
        };
        Response response = respond(status, detail, null, request);
        if (status == 405 && e.getResponse().getHeaderString("Allow") != null) {
            return Response.fromResponse(response).header("Allow", e.getResponse().getHeaderString("Allow")).build();
        }
        return response;
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e, HttpServerRequest request) {
        if (isDatabaseUnavailable(e)) {
            LOG.warnf("Database unavailable for %s %s: %s", request.method(), request.path(), e.getMessage());
            return Response.fromResponse(respond(503, "The database is unavailable; retry shortly", null, request))
                    .header("Retry-After", "5").build();
        }
        if (isQueryTimeout(e)) {
            LOG.warnf("Statement timed out for %s %s", request.method(), request.path());
            return Response.fromResponse(respond(503, "The database took too long to answer; retry shortly", null,
                    request)).header("Retry-After", "5").build();
        }
        if (hasCause(e, OptimisticLockException.class) || hasCause(e, StaleStateException.class)) {
            return optimisticLock(null, request);
        }
        if (isBodyTooLarge(e)) {
            // A chunked body has no Content-Length to refuse it up front (RouterProblems); it fails
            // while being read. The rest is not read: close, so the client is not left writing.
            return Response.fromResponse(respond(413, "The request body is too large; the limit is "
                    + maxBodySize.asLongValue() + " bytes", null, request)).header("Connection", "close").build();
        }
        if (hasCause(e, HttpClosedException.class) || hasCause(e, java.nio.channels.ClosedChannelException.class)) {
            // The client hung up while its body was being read: nobody will receive an answer, and
            // it is not the service's fault, so no ERROR and no 5xx in the metrics. Vert.x reports
            // it as HttpClosedException or, when the read was already blocked on the stream, as an
            // IOException around ClosedChannelException.
            LOG.debugf("Client closed the connection during %s %s", request.method(), request.path());
            // The answer below may still count as sent when the close is seen later: the access
            // log must say 499 either way.
            if (current.getCurrent() != null) {
                current.getCurrent().put(Problems.CLIENT_GONE_KEY, Boolean.TRUE);
            }
            return respond(400, "The connection was closed before the request body arrived", null, request);
        }
        String correlationId = Problems.correlationId(request.response());
        LOG.errorf(e, "Unexpected error [%s] for %s %s", correlationId, request.method(), request.path());
        return respond(500, "An unexpected error occurred; quote the correlation id when reporting it", null,
                request);
    }

    static boolean isDatabaseUnavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof JDBCConnectionException || t instanceof SQLTransientConnectionException) {
                return true;
            }
            // 08: connection exceptions; 57P0x: the server is shutting down, crashed or starting.
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P0"))) {
                return true;
            }
            // Agroal's pool gives up waiting for a connection with a plain SQLException.
            if (t instanceof SQLException && t.getMessage() != null
                    && t.getMessage().toLowerCase(java.util.Locale.ROOT).contains("acquisition timeout")) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** What RESTEasy Reactive's request stream throws once a body grows past the size limit. */
    private static boolean isBodyTooLarge(Throwable e) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof java.io.IOException && "Request too large".equals(t.getMessage())) {
                return true;
            }
        }
        return false;
    }

    /** 57014: statement_timeout (or a cancel) ended the query; 55P03: lock_timeout. */
    static boolean isQueryTimeout(Throwable e) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof SQLException sql && ("57014".equals(sql.getSQLState()) || "55P03".equals(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private Response jsonProblem(JsonProcessingException e, HttpServerRequest request) {
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()
                && !hasCause(e, JsonParseException.class)) {
            String field = jsonPath(mapping);
            String message;
            if (e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("must ")) {
                message = e.getOriginalMessage();
            } else if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
                message = "must be " + describe(mismatch.getTargetType());
            } else {
                message = "is not valid";
            }
            return respond(400, "The request body is not valid", Map.of(field, List.of(message)), request);
        }
        return respond(400, "The request body is not valid JSON", null, request);
    }

    private static String jsonPath(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null && !printable(ref.getFieldName())) {
                // A client's object key is echoed back only when it is short plain text.
                break;
            }
            if (ref.getFieldName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? "body" : path.toString();
    }

    private static boolean printable(String name) {
        return name.length() <= 64 && name.chars().noneMatch(Character::isISOControl);
    }

    private static String describe(Class<?> type) {
        if (type == String.class) {
            return "a string";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "a boolean";
        }
        if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
            return "a number";
        }
        if (type.isEnum()) {
            List<String> values = new ArrayList<>();
            for (Object constant : type.getEnumConstants()) {
                values.add(constant.toString());
            }
            return "one of " + values;
        }
        if (Map.class.isAssignableFrom(type)) {
            return "an object";
        }
        if (List.class.isAssignableFrom(type)) {
            return "an array";
        }
        if (type == java.util.UUID.class) {
            return "a UUID";
        }
        return "a valid value";
    }

    private static final PropertyNamingStrategies.NamingBase SNAKE_CASE =
            (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;

    /** The JSON or query-parameter name of a violated property: the last bean or parameter node, in snake_case. */
    static String fieldName(Path path) {
        String name = null;
        for (Path.Node node : path) {
            if (node.getKind() == ElementKind.PROPERTY || node.getKind() == ElementKind.PARAMETER) {
                name = node.getName();
            }
        }
        // The same translation as the JSON mapper's (quarkus.jackson.property-naming-strategy).
        return name == null ? "body" : SNAKE_CASE.translate(name);
    }

    private static Response respond(int status, String detail, Map<String, List<String>> errors,
            HttpServerRequest request) {
        String correlationId = status >= 500 ? Problems.correlationId(request.response()) : null;
        return Problems.response(Problems.of(status, detail, request.path(), errors, correlationId));
    }
}
