package dev.parley.common;

import dev.parley.error.ProblemException;
import java.util.HashSet;
import java.util.Set;

/**
 * Optimistic concurrency on the wire (SPEC §7): GET answers an ETag that is the row's version, and
 * PATCH/PUT/DELETE with If-Match proceed only while the row still has one of the versions named.
 * An If-Match naming no version of ours (malformed, or another server's tag) never matches.
 */
public record IfMatch(boolean any, Set<Long> versions) {

    /** The header as sent, or null when there was none. */
    public static IfMatch parse(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        Set<Long> versions = new HashSet<>();
        for (String part : header.split(",")) {
            String tag = part.strip();
            if (tag.equals("*")) {
                return new IfMatch(true, Set.of());
            }
            if (tag.startsWith("W/")) {
                tag = tag.substring(2);
            }
            if (tag.length() > 2 && tag.startsWith("\"") && tag.endsWith("\"")) {
                try {
                    versions.add(Long.parseLong(tag.substring(1, tag.length() - 1)));
                } catch (NumberFormatException e) {
                    // Not one of our tags: it cannot match.
                }
            }
        }
        return new IfMatch(false, versions);
    }

    public static String etag(long version) {
        return "\"" + version + "\"";
    }

    /** Throws 412 unless the current version is one the client named. */
    public void require(long current) {
        if (!any && !versions.contains(current)) {
            throw preconditionFailed();
        }
    }

    public static ProblemException preconditionFailed() {
        return new ProblemException(412,
                "The resource changed since you read it (If-Match does not match its ETag); fetch it and retry",
                null);
    }

    /** What a lost race becomes: 412 when the client asked for a version, 409 otherwise. */
    public static ProblemException conflict(IfMatch ifMatch) {
        return ifMatch != null ? preconditionFailed()
                : new ProblemException(409, "The resource was changed by another request; fetch it and retry", null);
    }
}
