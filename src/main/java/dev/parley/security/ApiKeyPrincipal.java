package dev.parley.security;

import java.security.Principal;
import java.util.Set;
import java.util.UUID;

/**
 * The caller of a request made with an API key: the key's owner, acting through that key. Its
 * name is the owner's user id, so everything that scopes data by user treats the key as its owner.
 */
public record ApiKeyPrincipal(String userId, UUID keyId, Set<ApiKeyScope> scopes) implements Principal {

    @Override
    public String getName() {
        return userId;
    }
}
