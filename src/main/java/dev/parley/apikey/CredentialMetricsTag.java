package dev.parley.apikey;

import io.micrometer.core.instrument.Tags;
import io.quarkus.micrometer.runtime.HttpServerMetricsTagsContributor;
import jakarta.inject.Singleton;

/**
 * Tags the HTTP server metrics with the kind of credential presented: credential="api_key", "jwt"
 * or "none". Key ids are not tags (one time series per key would grow without bound); the access
 * log carries them.
 */
@Singleton
public class CredentialMetricsTag implements HttpServerMetricsTagsContributor {

    @Override
    public Tags contribute(Context context) {
        String kind;
        if (ApiKeyAuthenticationMechanism.presentedKey(context.request()::getHeader) != null) {
            kind = "api_key";
        } else if (context.request().getHeader("Authorization") != null) {
            kind = "jwt";
        } else {
            kind = "none";
        }
        return Tags.of("credential", kind);
    }
}
