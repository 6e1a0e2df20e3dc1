package dev.parley.apikey;

import dev.parley.security.ApiKeyPrincipal;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Turns a key's secret into its owner's identity: from the cache on the I/O thread, else from the database. */
@ApplicationScoped
public class ApiKeyIdentityProvider implements IdentityProvider<ApiKeyAuthenticationRequest> {

    /** Identity attribute naming the credential kind; "api_key" for identities made here. */
    public static final String CREDENTIAL_ATTRIBUTE = "parley.credential";

    @Inject
    ApiKeyLookup lookup;

    @Override
    public Class<ApiKeyAuthenticationRequest> getRequestType() {
        return ApiKeyAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(ApiKeyAuthenticationRequest request,
            AuthenticationRequestContext context) {
        try {
            ApiKeyPrincipal cached = lookup.cached(request.secret());
            if (cached != null) {
                return Uni.createFrom().item(identity(cached));
            }
        } catch (RuntimeException e) {
            return Uni.createFrom().failure(e);
        }
        return context.runBlocking(() -> identity(lookup.load(request.secret())));
    }

    private static SecurityIdentity identity(ApiKeyPrincipal principal) {
        return QuarkusSecurityIdentity.builder()
                .setPrincipal(principal)
                .addAttribute(CREDENTIAL_ATTRIBUTE, "api_key")
                .build();
    }
}
