package dev.parley.security;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import jakarta.persistence.TypedQuery;
import java.util.Map;

/**
 * The one place that reads or changes user data on behalf of a request. Every query it builds is
 * restricted to rows whose user_id is the caller's (the token's sub), so another user's rows behave
 * exactly as if they did not exist: a 404, never a 403 that would leak their existence (SPEC §2).
 * Callers supply only the rest of the condition; they cannot leave the owner out.
 */
@ApplicationScoped
public class OwnerScope {

    public static final String OWNER = "owner";

    @Inject
    EntityManager em;

    @Inject
    CurrentUser user;

    public String ownerId() {
        return user.id();
    }

    /** {@code from Type e where e.userId = :owner and (where) [order by ...]}. */
    public <E> TypedQuery<E> select(Class<E> type, String where, String orderBy, Map<String, Object> params) {
        String hql = "from " + type.getSimpleName() + " e where " + scoped(where)
                + (orderBy == null ? "" : " order by " + orderBy);
        return bind(em.createQuery(hql, type), params);
    }

    public long count(Class<?> type, String where, Map<String, Object> params) {
        String hql = "select count(*) from " + type.getSimpleName() + " e where " + scoped(where);
        return bind(em.createQuery(hql, Long.class), params).getSingleResult();
    }

    /** A bulk {@code update Type e set ...} or {@code delete from Type e}, restricted to the caller's rows. */
    public int execute(String head, String where, Map<String, Object> params) {
        return bind(em.createQuery(head + " where " + scoped(where)), params).executeUpdate();
    }

    /** A native statement; it must use the :owner parameter, which is bound to the caller. */
    public Query nativeQuery(String sql, Map<String, Object> params) {
        if (!sql.contains(":" + OWNER)) {
            throw new IllegalArgumentException("A native query on user data must be restricted by :owner");
        }
        return bind(em.createNativeQuery(sql), params);
    }

    /** The where clause restricted to the caller. */
    public String scoped(String where) {
        return "e.userId = :" + OWNER + (where == null || where.isBlank() ? "" : " and (" + where + ")");
    }

    public <Q extends Query> Q bind(Q query, Map<String, Object> params) {
        query.setParameter(OWNER, user.id());
        params.forEach(query::setParameter);
        return query;
    }
}
