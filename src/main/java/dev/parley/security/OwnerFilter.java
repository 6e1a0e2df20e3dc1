package dev.parley.security;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.function.Supplier;

/**
 * The owner condition Hibernate adds by itself to everything it reads or bulk-changes of a user
 * entity: HQL, Panache finders and statics, loads by id, bulk update and delete. Each user entity
 * names it with {@code @Filter(name = OwnerFilter.NAME)}; the definition on {@code Conversation}
 * enables it in every session, so no query can leave the owner out, and none repeats it.
 *
 * <p>The owner is the identity {@link RowSecurity} gives the connection: the thread's
 * {@link DatabaseIdentity} when background work named one, else the request's user, else nobody
 * ('' matches no row). Hibernate and PostgreSQL so always agree on whose rows these are. A
 * background job that acts for no user sees no entity rows through Hibernate; it reaches the rows
 * its policies allow with native SQL, which row-level security guards.
 *
 * <p>Hibernate creates this resolver itself and asks it for the value whenever it renders the
 * condition (by reflection, hence the registration for native images).
 */
@RegisterForReflection
public final class OwnerFilter implements Supplier<String> {

    public static final String NAME = "owner";
    public static final String PARAMETER = "ownerId";
    public static final String CONDITION = "user_id = :" + PARAMETER;

    @Override
    public String get() {
        return RowSecurity.identity().userId();
    }
}
