package dev.parley.apikey;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** A request to authenticate with the secret of an API key. */
public class ApiKeyAuthenticationRequest extends BaseAuthenticationRequest {

    private final String secret;

    public ApiKeyAuthenticationRequest(String secret) {
        this.secret = secret;
    }

    String secret() {
        return secret;
    }

    @Override
    public String toString() {
        return "ApiKeyAuthenticationRequest";
    }
}
