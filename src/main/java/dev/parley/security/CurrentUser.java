package dev.parley.security;

import dev.parley.common.RequestIds;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The caller, as the verified token names it. This is the only source of a user id for request
 * handling: nothing in a body or query can choose another user (SPEC §2).
 */
@RequestScoped
public class CurrentUser {

    @Inject
    JsonWebToken jwt;

    @Inject
    CurrentVertxRequest request;

    private String id;

    public String id() {
        if (id == null) {
            String sub = jwt.getSubject();
            if (sub == null || sub.isBlank()) {
                throw new UnauthorizedException();
            }
            id = sub;
            if (request.getCurrent() != null) {
                request.getCurrent().put(RequestIds.USER_KEY, sub);
            }
        }
        return id;
    }
}
