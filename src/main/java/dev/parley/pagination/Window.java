package dev.parley.pagination;

import io.quarkus.hibernate.orm.panache.Panache;
import io.quarkus.panache.common.Parameters;
import jakarta.persistence.TypedQuery;
import java.util.List;
import org.hibernate.jpa.HibernateHints;

/**
 * What a list reads for one page: rows in {@code order}, read newest first when {@code descending}
 * (the order's direction, turned round for a previous page), starting strictly beyond
 * {@code after} in that direction when a cursor gave one, else skipping {@code offset} rows, and at
 * most {@code limit} of them. The limit is one row more than the page shows, which tells whether
 * there is more.
 */
public record Window<O extends SortOrder>(O order, boolean descending, Position after, long offset, int limit) {

    /** The comparison a keyset condition uses: rows beyond {@link #after} in reading order. */
    public String beyond() {
        return descending ? "<" : ">";
    }

    public String direction() {
        return descending ? "desc" : "asc";
    }

    /**
     * The window's rows of entity {@code type} that match {@code where} (HQL on the entity's fields,
     * with {@code params}), in reading order of ({@code timeField}, id), read-only: pages are only
     * shown, and read-only entities skip Hibernate's snapshot of each row (a deep copy, which for the
     * jsonb columns means a JSON round trip). A keyset window has no OFFSET at all.
     */
    public <E> List<E> read(Class<E> type, String where, Parameters params, String timeField) {
        String keyset = after == null ? "" : " and (" + timeField + ", id) " + beyond() + " (:afterKey, :afterId)";
        TypedQuery<E> query = Panache.getEntityManager(type).createQuery("from " + type.getSimpleName() + " where ("
                + where + ")" + keyset + " order by " + timeField + " " + direction() + ", id " + direction(), type);
        params.map().forEach(query::setParameter);
        if (after == null) {
            query.setFirstResult((int) offset);
        } else {
            query.setParameter("afterKey", after.key()).setParameter("afterId", after.id());
        }
        return query.setHint(HibernateHints.HINT_READ_ONLY, true).setMaxResults(limit).getResultList();
    }
}
