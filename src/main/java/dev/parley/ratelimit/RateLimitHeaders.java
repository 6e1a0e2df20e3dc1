package dev.parley.ratelimit;

import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerResponseContext;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/** Every rate-limited answer tells the client its budget: RateLimit-Limit, -Remaining, -Reset. */
public class RateLimitHeaders {

    @Inject
    CurrentVertxRequest request;

    @ServerResponseFilter
    public void addHeaders(ContainerResponseContext response) {
        if (request.getCurrent() == null
                || !(request.getCurrent().get(RateLimiter.PROBE_KEY) instanceof RateLimiter.Probe probe)
                || response.getHeaders().containsKey("RateLimit-Limit")) {
            return;
        }
        response.getHeaders().putSingle("RateLimit-Limit", String.valueOf(probe.limit()));
        response.getHeaders().putSingle("RateLimit-Remaining", String.valueOf(probe.remaining()));
        response.getHeaders().putSingle("RateLimit-Reset", String.valueOf(probe.resetSeconds()));
    }
}
