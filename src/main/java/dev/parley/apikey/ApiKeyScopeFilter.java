package dev.parley.apikey;

import dev.parley.security.ApiKeyScope;
import dev.parley.security.ApiKeyPrincipal;
import dev.parley.error.ProblemException;
import dev.parley.ratelimit.RateLimited;
import dev.parley.ratelimit.RateLimiter;
import dev.parley.security.JwtOnly;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * What a key may call, decided once per request before the endpoint runs: {@link JwtOnly}
 * endpoints never; chat endpoints (those spending the chat budget) with the chat scope; other
 * GETs with read; everything else with write. A message that makes the assistant reply needs chat
 * as well, which {@link RateLimiter} checks where that budget is spent. Requests without a key
 * pass untouched (and are not authenticated any earlier than before).
 */
public class ApiKeyScopeFilter {

    @Inject
    CurrentIdentityAssociation identities;

    @ServerRequestFilter(nonBlocking = true)
    public Uni<Void> checkScope(ContainerRequestContext context, ResourceInfo resource) {
        if (ApiKeyAuthenticationMechanism.presentedKey(context::getHeaderString) == null || resource.getResourceMethod() == null) {
            return Uni.createFrom().voidItem();
        }
        return identities.getDeferredIdentity().onItem().invoke(identity -> {
            if (identity.getPrincipal() instanceof ApiKeyPrincipal key) {
                check(key, resource.getResourceClass(), resource.getResourceMethod(), context.getMethod());
            }
        }).replaceWithVoid();
    }

    static void check(ApiKeyPrincipal key, Class<?> type, Method method, String httpMethod) {
        JwtOnly jwtOnly = method.isAnnotationPresent(JwtOnly.class) ? method.getAnnotation(JwtOnly.class)
                : type.getAnnotation(JwtOnly.class);
        if (jwtOnly != null) {
            throw ProblemException.forbidden(jwtOnly.value());
        }
        ApiKeyScope needed = isChat(type, method) ? ApiKeyScope.CHAT
                : "GET".equals(httpMethod) || "HEAD".equals(httpMethod) ? ApiKeyScope.READ : ApiKeyScope.WRITE;
        if (!key.scopes().contains(needed)) {
            throw needed.missing();
        }
    }


    private static boolean isChat(Class<?> type, Method method) {
        RateLimited limited = method.getAnnotation(RateLimited.class);
        if (limited == null) {
            limited = type.getAnnotation(RateLimited.class);
        }
        return limited != null && limited.value() == RateLimiter.Kind.CHAT;
    }
}
