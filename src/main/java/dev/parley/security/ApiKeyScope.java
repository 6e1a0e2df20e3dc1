package dev.parley.security;

import dev.parley.error.ProblemException;
import java.util.List;
import java.util.Map;

import java.util.Locale;

/** What a key may do; a JWT may do everything. */
public enum ApiKeyScope {
    /** GET anything under /api. */
    READ,
    /** POST, PATCH, PUT and DELETE on conversations and messages. */
    WRITE,
    /** Chat, and messages that make the assistant reply (they spend the chat budget). */
    CHAT;

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The 403 for a key that lacks this scope, naming it. */
    public ProblemException missing() {
        return new ProblemException(403, "This API key does not have the " + value()
                + " scope that this request needs", Map.of("scope", List.of("missing: " + value())));
    }

    /** The scope of this name, or null. */
    public static ApiKeyScope of(String value) {
        for (ApiKeyScope scope : values()) {
            if (scope.value().equals(value)) {
                return scope;
            }
        }
        return null;
    }
}
