package dev.parley.common;

import dev.parley.error.ProblemException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/** Ids and timestamps as the database stores them. */
public final class Ids {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicLong LAST_MICROS = new AtomicLong();

    private Ids() {
    }

    /**
     * A version 7 UUID (RFC 9562): 48 bits of Unix milliseconds, then random bits. Time-ordered ids
     * keep B-tree inserts local and cannot be enumerated.
     */
    public static UUID newId() {
        long millis = System.currentTimeMillis();
        long randA = RANDOM.nextInt(1 << 12);
        long msb = (millis << 16) | (0x7L << 12) | randA;
        long lsb = (RANDOM.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb);
    }

    /** Parses an id from a path or query; a malformed one is a 400 naming the parameter. */
    public static UUID parse(String name, String raw) {
        if (raw == null || raw.length() != 36) {
            throw ProblemException.badRequest(name, "must be a UUID");
        }
        try {
            return UUID.fromString(raw);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest(name, "must be a UUID");
        }
    }

    /**
     * Now, at the microsecond precision of a PostgreSQL timestamptz, so that keyset cursors compare
     * exactly; never the same instant twice in this JVM, so that messages stored one after another
     * in one transaction (a list of items) keep their order, which ids of one millisecond do not give.
     */
    public static Instant now() {
        Instant clock = Instant.now();
        long micros = clock.getEpochSecond() * 1_000_000L + clock.getNano() / 1_000;
        long unique = LAST_MICROS.accumulateAndGet(micros, (last, next) -> Math.max(last + 1, next));
        return Instant.EPOCH.plus(unique, ChronoUnit.MICROS);
    }

    /**
     * Ids bound to a native statement as one uuid[] parameter, for {@code = ANY(:ids)}. Not
     * {@code IN (:ids)}: Hibernate expands a list into one placeholder per element, so every length
     * makes another statement text, which the JDBC driver never keeps prepared on the server, and
     * PostgreSQL plans it anew each time. With the one text the plan is reused: on the benchmark's
     * data, planning cost more than running search's follow-up statements (pgbench: 715 against
     * 1 562 transactions per second for the same three statements planned each time or reused).
     */
    public static UUID[] array(Collection<UUID> ids) {
        return ids.toArray(UUID[]::new);
    }

    /** A timestamptz column as a native query returns it (the JDBC driver and Hibernate vary the type). */
    public static Instant instant(Object value) {
        if (value instanceof Instant instant) {
            return instant;
        }
        if (value instanceof java.time.OffsetDateTime odt) {
            return odt.toInstant();
        }
        if (value instanceof java.sql.Timestamp ts) {
            return ts.toInstant();
        }
        throw new IllegalStateException("Unexpected timestamp type " + value.getClass());
    }
}
