package dev.parley.apikey;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads an API key from {@code X-API-Key: <key>} or {@code Authorization: Bearer <key>} (so that
 * OpenAI-style clients work unchanged).
 *
 * <p>Quarkus asks its mechanisms in descending priority until one returns an identity, and stops
 * at the first failure. This one comes before the JWT mechanism: a request without a key gets
 * null and goes on to the JWT mechanism as before; a request with a key is settled here, so a
 * {@code Bearer pk_live_...} never reaches the JWT parser (nor its cache of verified tokens), and
 * a bad key fails exactly as a bad JWT does (401, same body).
 */
@ApplicationScoped
public class ApiKeyAuthenticationMechanism implements HttpAuthenticationMechanism {

    public static final String HEADER = "X-API-Key";
    /** Name of the OpenAPI security scheme. */
    public static final String SCHEME = "apiKey";
    private static final String BEARER = "Bearer ";

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identities) {
        String secret = presentedKey(context.request()::getHeader);
        if (secret == null) {
            return Uni.createFrom().nullItem();
        }
        // The routing context lets security.AccessLogIdentity name the caller in the access log.
        return identities.authenticate(
                HttpSecurityUtils.setRoutingContextAttribute(new ApiKeyAuthenticationRequest(secret), context));
    }

    /** The key the request presents, or null when it presents none (it may carry a JWT). */
    public static String presentedKey(Function<String, String> headers) {
        String header = headers.apply(HEADER);
        if (header != null) {
            return header.strip();
        }
        String authorization = headers.apply("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            String token = authorization.substring(BEARER.length()).strip();
            if (ApiKeySecrets.looksLikeKey(token)) {
                return token;
            }
        }
        return null;
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, HttpHeaderNames.WWW_AUTHENTICATE, "Bearer"));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(ApiKeyAuthenticationRequest.class);
    }

    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
        return Uni.createFrom().item(new HttpCredentialTransport(HttpCredentialTransport.Type.OTHER_HEADER, HEADER));
    }

    @Override
    public int getPriority() {
        return DEFAULT_PRIORITY + 100;
    }
}
