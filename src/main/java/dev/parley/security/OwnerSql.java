package dev.parley.security;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import java.util.Map;

/**
 * Native SQL on the caller's behalf, for what HQL cannot say (recursive walks of the tree, full-text
 * search, counters kept by UPDATE … RETURNING). Hibernate's owner restriction ({@link OwnerRestriction}) does
 * not reach native SQL, so each statement names {@code user_id = :owner} itself, which keeps it on
 * the user-leading indexes, and this binds {@code :owner} to the caller; a statement without it fails
 * when it is bound. Row-level security checks the same owner beneath.
 */
@ApplicationScoped
public class OwnerSql {

    public static final String OWNER = "owner";

    @Inject
    EntityManager em;

    @Inject
    CurrentUser user;

    public String ownerId() {
        return user.id();
    }

    public Query query(String sql, Map<String, Object> params) {
        if (params.containsKey(OWNER)) {
            throw new IllegalArgumentException(":" + OWNER + " is the caller and bound here");
        }
        Query query = em.createNativeQuery(sql);
        params.forEach(query::setParameter);
        return query.setParameter(OWNER, user.id());
    }
}
