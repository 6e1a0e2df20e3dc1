package dev.parley.common;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Input limits (SPEC §7), all configurable under parley.limits.*. */
@ConfigMapping(prefix = "parley.limits")
public interface Limits {

    /** Longest message content, in characters. */
    @WithDefault("32000")
    int contentMaxLength();

    @WithDefault("16")
    int metadataMaxKeys();

    @WithDefault("64")
    int metadataKeyMaxLength();

    @WithDefault("512")
    int metadataValueMaxLength();

    /** Largest request body; larger ones are refused with 413 before they are read. */
    @WithDefault("1M")
    String maxBodySize();
}
