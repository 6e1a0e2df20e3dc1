package dev.parley.security;

import io.quarkus.narayana.jta.QuarkusTransaction;
import java.util.function.Supplier;

/**
 * Who the database sees when work runs outside a request: row-level security (README "Isolation in
 * the database") lets a connection read and write only the rows of the identity {@link RowSecurity}
 * sets when the connection is taken from the pool. A request is its credential's user without
 * anything here; background work names its identity explicitly with these calls, around the
 * transactions it opens (the identity is applied when a transaction takes its connection, so it
 * cannot change inside one).
 */
public final class DatabaseIdentity {

    /** A background job, and the rows the policies of V21 let it reach. */
    public enum Job {
        /** Pending assistant replies of every user: find, claim, renew, release, count. */
        REPLIES("replies"),
        /**
         * Expired rows of every user: temporary and retired conversations (their messages go by
         * cascade), old idempotency keys, idle rate-limit buckets, change events past retention and expired
         * feed watch rows. Delete only; reads no message.
         */
        PURGE("purge");

        final String setting;

        Job(String setting) {
            this.setting = setting;
        }
    }

    /** What a connection is set to: one user, one job, or nobody. */
    record Identity(String userId, String job) {
        static final Identity NOBODY = new Identity("", "");
    }

    private static final ThreadLocal<Identity> CURRENT = new ThreadLocal<>();

    private DatabaseIdentity() {
    }

    /** Runs {@code work} with the database seeing only {@code userId}'s rows. */
    public static <T> T asUser(String userId, Supplier<T> work) {
        return with(new Identity(requireUser(userId), ""), work);
    }

    public static void asUser(String userId, Runnable work) {
        asUser(userId, asSupplier(work));
    }

    /** Runs {@code work} as a background job, which sees only the rows its policies allow. */
    public static <T> T asSystem(Job job, Supplier<T> work) {
        return with(new Identity("", job.setting), work);
    }

    public static void asSystem(Job job, Runnable work) {
        asSystem(job, asSupplier(work));
    }

    /** Runs {@code work} with no identity at all, even inside a request: no user table has a row for it. */
    public static <T> T asNobody(Supplier<T> work) {
        return with(Identity.NOBODY, work);
    }

    /** The identity set on this thread, or null when the thread runs for a request (or nobody). */
    static Identity current() {
        return CURRENT.get();
    }

    private static <T> T with(Identity identity, Supplier<T> work) {
        // A transaction already open may hold a connection set to someone else; the new identity
        // would silently not apply to it.
        if (QuarkusTransaction.isActive()) {
            throw new IllegalStateException("Set the database identity before the transaction begins");
        }
        Identity previous = CURRENT.get();
        CURRENT.set(identity);
        try {
            return work.get();
        } finally {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        }
    }

    private static String requireUser(String userId) {
        if (userId == null || userId.isEmpty()) {
            throw new IllegalArgumentException("A user id is required");
        }
        return userId;
    }

    private static Supplier<Void> asSupplier(Runnable work) {
        return () -> {
            work.run();
            return null;
        };
    }
}
