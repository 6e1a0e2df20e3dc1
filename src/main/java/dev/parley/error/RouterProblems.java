package dev.parley.error;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.quarkus.vertx.http.runtime.VertxHttpRecorder;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Errors raised below the REST layer (no route for a path, a body over the size limit, a request
 * line or headers over theirs, a failure in an HTTP handler) get the same problem+json shape as
 * everything else, never an HTML page or an empty body.
 */
@ApplicationScoped
public class RouterProblems {

    private static final Logger LOG = Logger.getLogger(RouterProblems.class);

    /** The one route with a larger body limit (dev.parley.portability.ImportResource). */
    static final String IMPORT_PATH = "/api/import";

    @Inject
    ObjectMapper mapper;

    @ConfigProperty(name = "parley.limits.max-body-size")
    MemorySize maxBodySize;

    /** The import takes whole exports, so it has its own, larger limit. */
    @ConfigProperty(name = "parley.import.max-body-size")
    MemorySize importMaxBodySize;

    /** Longest request target (path and query string), in characters. */
    @ConfigProperty(name = "parley.limits.max-uri-length")
    int maxUriLength;

    /** Largest sum of the request's header names and values, in characters. */
    @ConfigProperty(name = "parley.limits.max-header-size")
    MemorySize maxHeaderSize;

    void install(@Observes Router router) {
        // quarkus.http.limits.max-body-size is the largest of the limits (the import's); each route's
        // own limit is applied here. A declared length over it is refused before the body is read,
        // with a problem body (the server's own check would answer 413 with an empty body). A chunked
        // body declares no length: outside the import it is read here, up to the limit (REST then
        // takes it from the routing context), and one that grows past the limit fails with 413 and
        // reaches the failure handler below. The import streams its body instead (it may be large),
        // counted by the server's reader against the import's limit (the route after this one).
        long limit = maxBodySize.asLongValue();
        BodyHandler chunkedBodies = BodyHandler.create(false).setBodyLimit(limit);
        router.route().order(Integer.MIN_VALUE + 1).handler(ctx -> {
            // The HTTP server's own limits on the request line and headers (set far above these in
            // application.properties) answer without a body; these answer with a problem.
            if (ctx.request().uri().length() > maxUriLength) {
                send(ctx, 414, "The request line is too long; the path and query string may have at most "
                        + maxUriLength + " characters");
                return;
            }
            if (headerSize(ctx.request().headers()) > maxHeaderSize.asLongValue()) {
                send(ctx, 431, "The request headers are too large; together they may have at most "
                        + maxHeaderSize.asLongValue() + " characters");
                return;
            }
            String path = ctx.request().path();
            String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            String encoding = ctx.request().getHeader(HttpHeaders.TRANSFER_ENCODING);
            if (length != null && isOver(length, limitFor(path))) {
                send(ctx, 413, "The request body is too large; the limit is " + limitFor(path) + " bytes");
            } else if (length == null && !IMPORT_PATH.equals(path) && encoding != null
                    && encoding.toLowerCase(java.util.Locale.ROOT).contains("chunked")) {
                chunkedBodies.handle(ctx);
            } else {
                ctx.next();
            }
        }).failureHandler(ctx -> {
            // The body handler fails the request with 413 once a chunked body passes the limit; Quarkus's
            // own failure handling would answer that with an empty body.
            if (ctx.statusCode() == 413) {
                send(ctx, 413, "The request body is too large; the limit is " + limit + " bytes");
            } else {
                ctx.next();
            }
        });
        // A body without a declared length (chunked) is counted while it is read, against the limit
        // the server's own check (order -2) left in the context; this route's limit replaces it.
        // Bodies that grow past it fail in the reader and reach errorHandler(413) below.
        router.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT + 1).handler(ctx -> {
            if (ctx.get(VertxHttpRecorder.MAX_REQUEST_SIZE_KEY) != null) {
                ctx.put(VertxHttpRecorder.MAX_REQUEST_SIZE_KEY, limitFor(ctx.request().path()));
            }
            ctx.next();
        });
        // Runs after every other route: nothing matched this path.
        router.route().order(Integer.MAX_VALUE).handler(ctx -> send(ctx, 404, "No resource at " + ctx.request().path()));
        router.errorHandler(413, ctx -> send(ctx, 413,
                "The request body is too large; the limit is " + limitFor(ctx.request().path()) + " bytes"));
        router.errorHandler(404, ctx -> send(ctx, 404, "No resource at " + ctx.request().path()));
        router.errorHandler(405, ctx -> send(ctx, 405, "Method not allowed"));
        router.errorHandler(500, ctx -> {
            if (ctx.failure() != null) {
                LOG.errorf(ctx.failure(), "Unhandled failure [%s] for %s %s",
                        ctx.response().headers().get(Problems.REQUEST_ID_HEADER), ctx.request().method(),
                        ctx.request().path());
            }
            send(ctx, 500, "An unexpected error occurred; quote the correlation id when reporting it");
        });
    }

    private long limitFor(String path) {
        return IMPORT_PATH.equals(path) ? Math.max(importMaxBodySize.asLongValue(), maxBodySize.asLongValue())
                : maxBodySize.asLongValue();
    }

    private static long headerSize(io.vertx.core.MultiMap headers) {
        long size = 0;
        for (java.util.Map.Entry<String, String> header : headers) {
            size += header.getKey().length() + header.getValue().length();
        }
        return size;
    }

    private static boolean isOver(String length, long limit) {
        try {
            return Long.parseLong(length.trim()) > limit;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    public void send(RoutingContext ctx, int status, String detail) {
        if (ctx.response().headWritten()) {
            ctx.response().end();
            return;
        }
        String correlationId = status >= 500 ? Problems.correlationId(ctx.response()) : null;
        // A path over the limit is not echoed whole.
        String path = ctx.request().path();
        String instance = path.length() > 256 ? path.substring(0, 256) + "…" : path;
        Problem problem = Problems.of(status, detail, instance, null, correlationId);
        boolean openAi = OpenAiError.covers(path);
        String body;
        try {
            body = mapper.writeValueAsString(openAi ? OpenAiError.of(problem) : problem);
        } catch (JsonProcessingException e) {
            body = "{\"status\":" + status + "}";
        }
        ctx.response().setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, openAi ? "application/json" : Problem.MEDIA_TYPE);
        if (status == 413 || status == 414 || status == 431) {
            // The rest of an oversized body (or of the request) is not read; close so the client is
            // not left writing.
            ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
        }
        ctx.response().end(body);
    }
}
