package dev.parley.apikey;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.OptionalInt;

/** Personal API keys, all configurable under parley.api-keys.*. */
@ConfigMapping(prefix = "parley.api-keys")
public interface ApiKeyConfig {

    /** Keys a user may hold at once (expired ones count until deleted). */
    @WithDefault("50")
    int maxPerUser();

    /** Longest key name, in characters (at most 255, the column's size). */
    @WithDefault("100")
    int nameMaxLength();

    /** When set, every key must expire within this many days of its creation. */
    OptionalInt maxExpiryDays();

    /**
     * How long a replica trusts a key it has looked up before asking the database again. A key
     * revoked on another replica stops working there within this time; on the replica that
     * revoked it, at once. 0 looks the key up on every request.
     */
    @WithDefault("PT5S")
    Duration cacheTtl();

    /** Most keys held in the lookup cache. */
    @WithDefault("10000")
    int cacheSize();

    /** Rate-limited requests (writes and chat) one key may make per minute, on top of its owner's limits; 0 = none. */
    @WithDefault("0")
    long requestsPerMinute();
}
