package dev.parley.console;

import dev.parley.error.RouterProblems;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The browser console is plain static files under META-INF/resources/console. This route sends
 * {@code /} and {@code /console} to {@code /console/}, and when the console is turned off answers
 * every console path as an unknown one (a problem+json 404), before the static files are looked up.
 */
@ApplicationScoped
public class ConsoleRoutes {

    static final String HOME = "/console/";

    @ConfigProperty(name = "parley.console.enabled")
    boolean enabled;

    @Inject
    RouterProblems problems;

    void install(@Observes Router router) {
        // After the request id and body size checks (MIN_VALUE, MIN_VALUE + 1), before everything else.
        router.route().order(Integer.MIN_VALUE + 2).handler(this::handle);
    }

    private void handle(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        boolean console = path.equals("/console") || path.startsWith(HOME);
        if (console && !enabled) {
            problems.send(ctx, 404, "No resource at " + ctx.request().path());
        } else if (enabled && isRead(ctx) && (path.equals("/") || path.equals("/console"))) {
            ctx.response().setStatusCode(302).putHeader("Location", HOME).end();
        } else {
            ctx.next();
        }
    }

    private static boolean isRead(RoutingContext ctx) {
        return ctx.request().method() == HttpMethod.GET || ctx.request().method() == HttpMethod.HEAD;
    }
}
