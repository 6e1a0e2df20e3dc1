package dev.parley.security;

import dev.parley.error.ProblemException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import java.security.Principal;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The caller, as the verified credential names it: a JWT's sub, or the owner of an API key (a key
 * acts as its owner, within its scopes). This is the only source of a user id for request
 * handling: nothing in a body or query can choose another user (SPEC §2).
 */
@RequestScoped
public class CurrentUser {

    @Inject
    SecurityIdentity identity;

    private String id;
    private ApiKeyPrincipal apiKey;

    public String id() {
        String user = idIfAuthenticated();
        if (user == null) {
            throw new UnauthorizedException();
        }
        return user;
    }

    /** The caller's id, or null for a request without a valid credential (it then sees no rows). */
    public String idIfAuthenticated() {
        if (id == null) {
            Principal principal = identity.getPrincipal();
            id = userOf(principal);
            apiKey = id != null && principal instanceof ApiKeyPrincipal key ? key : null;
        }
        return id;
    }

    /** The user a verified credential names: an API key's owner or a JWT's sub; null for none. */
    static String userOf(Principal principal) {
        String user = null;
        if (principal instanceof ApiKeyPrincipal key) {
            user = key.userId();
        } else if (principal instanceof JsonWebToken jwt) {
            user = jwt.getSubject();
        }
        return user == null || user.isBlank() ? null : user;
    }

    /** The key the caller authenticated with, or null for a JWT. */
    public ApiKeyPrincipal apiKey() {
        id();
        return apiKey;
    }

    /** 403 naming the scope when the caller is a key without it; a JWT may do everything. */
    public void requireScope(ApiKeyScope scope) {
        ApiKeyPrincipal key = apiKey();
        if (key != null && !key.scopes().contains(scope)) {
            throw scope.missing();
        }
    }

    /** 403 for a key: what only a JWT may do (managing keys, so a leaked key cannot mint more). */
    public void requireJwt() {
        if (apiKey() != null) {
            throw ProblemException.forbidden("API keys cannot manage API keys; use a bearer JWT");
        }
    }
}
