package dev.parley.common;

import dev.parley.error.Problems;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Gives every request a correlation id: the caller's X-Request-Id when it is sane, a new one
 * otherwise. It is echoed in the response, put in the logging context, carried by 500 problems,
 * and written in one access-log line per request (method, path, status, duration, user, id, and
 * the credential kind with the API key's id when a key was used; never a token or key).
 */
@ApplicationScoped
public class RequestIds {

    public static final String USER_KEY = "parley.user";
    /** How the caller authenticated: jwt or api_key (never the credential itself). */
    public static final String CREDENTIAL_KEY = "parley.credential";
    public static final String API_KEY_ID_KEY = "parley.api-key-id";
    /** Access-log status of a request whose client closed the connection before the answer. */
    public static final int CLIENT_CLOSED = 499;
    private static final Logger ACCESS = Logger.getLogger("dev.parley.access");
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            long start = System.nanoTime();
            String given = ctx.request().getHeader(Problems.REQUEST_ID_HEADER);
            String id = given != null && SANE.matcher(given).matches() ? given : UUID.randomUUID().toString();
            ctx.response().putHeader(Problems.REQUEST_ID_HEADER, id);
            MDC.put("request_id", id);
            ctx.addEndHandler(done -> {
                if (ACCESS.isInfoEnabled()) {
                    Object user = ctx.get(USER_KEY);
                    Object credential = ctx.get(CREDENTIAL_KEY);
                    Object keyId = ctx.get(API_KEY_ID_KEY);
                    // The end handler also runs when the client hangs up before any answer: log that as
                    // 499 ("client closed request", as proxies do), not as the 200 the response starts with.
                    // Also when the body's read failed on the close and an answer was still written.
                    int status = ctx.response().ended() && ctx.get(Problems.CLIENT_GONE_KEY) == null
                            ? ctx.response().getStatusCode() : CLIENT_CLOSED;
                    ACCESS.infof("%s %s %d %.1fms user=%s auth=%s%s request_id=%s", ctx.request().method(),
                            ctx.request().path(), status,
                            (System.nanoTime() - start) / 1_000_000.0, user == null ? "-" : user,
                            credential == null ? "-" : credential, keyId == null ? "" : " key_id=" + keyId, id);
                }
            });
            ctx.next();
        });
    }
}
