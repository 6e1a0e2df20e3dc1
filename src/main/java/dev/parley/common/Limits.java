package dev.parley.common;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Input limits (SPEC §7), all configurable under parley.limits.*. The request-size limits
 * (max-body-size, max-uri-length, max-header-size) are read by error.RouterProblems as config
 * properties, not through this mapping: they are declared here all the same because the mapping
 * owns every key under its prefix, and a key it does not declare fails start-up.
 */
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

    /** Largest metadata object, serialized as JSON. */
    @WithDefault("16384")
    int metadataMaxBytes();

    /** Largest tool_calls array of one message, serialized as JSON. */
    @WithDefault("32768")
    int toolCallsMaxBytes();

    /** Deepest nesting of arrays and objects inside tool_calls (the array itself is level 1). */
    @WithDefault("8")
    int jsonMaxDepth();

    /** Largest request body; larger ones are refused with 413 before they are read. */
    @WithDefault("1M")
    String maxBodySize();

    /** Longest request target (path and query string), in characters; longer ones are a 414. */
    @WithDefault("4096")
    int maxUriLength();

    /** Largest sum of the request's header names and values; larger is a 431. */
    @WithDefault("16K")
    String maxHeaderSize();
}
