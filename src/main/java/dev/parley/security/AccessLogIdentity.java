package dev.parley.security;

import dev.parley.common.RequestIds;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.Principal;
import java.util.Map;

/**
 * Names the caller in the request's access-log line ({@link RequestIds}) as soon as a credential
 * is verified, JWT or API key alike: the one place that writes it. Reading the caller
 * ({@link CurrentUser}) has no side effect, and a request refused after authentication (a missing
 * scope, the rate limit) is still logged with its user.
 */
@ApplicationScoped
public class AccessLogIdentity implements SecurityIdentityAugmentor {

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        return Uni.createFrom().item(identity);
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context,
            Map<String, Object> attributes) {
        RoutingContext request = HttpSecurityUtils.getRoutingContextAttribute(attributes);
        Principal principal = identity.getPrincipal();
        String user = CurrentUser.userOf(principal);
        if (request != null && user != null) {
            request.put(RequestIds.USER_KEY, user);
            if (principal instanceof ApiKeyPrincipal key) {
                request.put(RequestIds.CREDENTIAL_KEY, "api_key");
                request.put(RequestIds.API_KEY_ID_KEY, key.keyId().toString());
            } else {
                request.put(RequestIds.CREDENTIAL_KEY, "jwt");
            }
        }
        return Uni.createFrom().item(identity);
    }
}
