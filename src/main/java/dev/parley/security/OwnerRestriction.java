package dev.parley.security;

/**
 * The owner condition Hibernate adds by itself to everything it reads or bulk-changes of a user
 * entity: HQL, Panache finders and statics, loads by id, bulk update and delete. Each user entity
 * carries it as {@code @SQLRestriction(OwnerRestriction.CONDITION)}, so no query can leave the
 * owner out, and none repeats it.
 *
 * <p>The owner is the identity {@link RowSecurity} sets on the connection before its borrower's
 * first statement: the thread's {@link DatabaseIdentity} when background work named one, else the
 * request's user, else nobody ('' matches no row). Hibernate and PostgreSQL so read the same
 * identity. A background job that acts for no user sees no entity rows through Hibernate; it
 * reaches the rows its policies allow with native SQL, which row-level security guards.
 *
 * <p>Why a fixed SQL condition and not a Hibernate filter or {@code @TenantId} (which Hibernate 7
 * implements as a filter): while any filter is enabled, Hibernate translates every HQL statement
 * anew and builds a fresh loader for every load by id (its query plan cache skips sessions with
 * filters), which cost up to half the throughput of the reads (README "Decisions"). The condition
 * names no parameter, so every plan is cached once for all users.
 */
public final class OwnerRestriction {

    /** Exactly the condition of the row-level security policies (V21). */
    public static final String CONDITION = "user_id = current_setting('parley.user_id', true)";

    private OwnerRestriction() {
    }
}
