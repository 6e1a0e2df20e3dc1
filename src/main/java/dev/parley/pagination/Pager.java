package dev.parley.pagination;

import dev.parley.security.OwnerScope;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.TypedQuery;
import jakarta.ws.rs.core.UriBuilder;
import jakarta.ws.rs.core.UriInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.hibernate.jpa.HibernateHints;

/**
 * Runs a filtered list query in page mode (OFFSET, with a total count) or in keyset mode (a cursor,
 * no OFFSET, stable while rows come and go), and builds the links of SPEC §4.1.
 * Every query goes through {@link OwnerScope}, so a page only ever holds the caller's rows.
 */
@ApplicationScoped
public class Pager {

    @Inject
    OwnerScope scope;

    @Inject
    CursorCodec codec;

    /**
     * How a list is sorted: a timestamp field and the id as tie-breaker, both in one direction.
     * {@code name} goes into cursors so that a cursor of another list or order is refused.
     */
    public record Sort(String name, String timeField, boolean descending) {
    }

    public <E> Page<E> list(Class<E> type, String where, Map<String, Object> params, Sort sort,
            PageRequest request, Function<E, Instant> keyOf, Function<E, UUID> idOf, UriInfo uri) {
        return list(type, where, params, sort, request, keyOf, idOf, uri, null);
    }

    /**
     * @param knownCount how many rows match, asked only when the page itself cannot tell (a
     *        stored counter, say); null to count them with a query
     */
    public <E> Page<E> list(Class<E> type, String where, Map<String, Object> params, Sort sort,
            PageRequest request, Function<E, Instant> keyOf, Function<E, UUID> idOf, UriInfo uri,
            LongSupplier knownCount) {
        LongSupplier count = knownCount != null ? knownCount : () -> count(type, where, params);
        if (request.cursor() != null) {
            Cursor cursor = codec.decode(request.cursor(), sort.name().substring(0, sort.name().indexOf(':') + 1));
            Sort effective = cursor.order().equals(sort.name()) ? sort : sortFromName(sort, cursor.order());
            return keyset(type, where, params, effective, cursor, request, keyOf, idOf, uri, count);
        }
        return offset(type, where, params, sort, request, keyOf, idOf, uri, count);
    }

    private static Sort sortFromName(Sort template, String name) {
        // A cursor keeps the order it was issued for; only the direction can differ from the request's.
        return new Sort(name, template.timeField(), name.endsWith(":desc"));
    }

    private <E> Page<E> offset(Class<E> type, String where, Map<String, Object> params, Sort sort,
            PageRequest request, Function<E, Instant> keyOf, Function<E, UUID> idOf, UriInfo uri,
            LongSupplier counter) {
        long offset = (long) (request.page() - 1) * request.pageSize();
        // One row more than the page tells whether this is the last page (see total).
        List<E> rows = new ArrayList<>(query(type, where, params, sort, false, null)
                .setFirstResult((int) Math.min(offset, Integer.MAX_VALUE))
                .setMaxResults(request.pageSize() + 1)
                .getResultList());
        boolean lastPage = rows.size() <= request.pageSize();
        if (!lastPage) {
            rows.remove(rows.size() - 1);
        }
        boolean more = !lastPage;
        long count = total(offset, rows.size(), more, counter);
        String next = more ? pageLink(uri, request.page() + 1) : null;
        String previous = request.page() > 1 ? pageLink(uri, Math.min(request.page() - 1, lastPage(count, request))) : null;
        String nextCursor = more && !rows.isEmpty() ? after(sort, rows.get(rows.size() - 1), keyOf, idOf) : null;
        return new Page<>(count, next, previous, nextCursor, rows);
    }

    /**
     * The count of a page-mode list whose page was fetched with one row more than it shows. The last
     * page, unless it lies past the end, tells the count itself (the rows before it plus its own),
     * so a one-page list or search costs one statement; any other page asks the counter.
     */
    public static long total(long before, int shown, boolean more, LongSupplier counter) {
        return !more && (shown > 0 || before == 0) ? before + shown : counter.getAsLong();
    }

    private static int lastPage(long count, PageRequest request) {
        return (int) Math.max(1, (count + request.pageSize() - 1) / request.pageSize());
    }

    private <E> Page<E> keyset(Class<E> type, String where, Map<String, Object> params, Sort sort, Cursor cursor,
            PageRequest request, Function<E, Instant> keyOf, Function<E, UUID> idOf, UriInfo uri,
            LongSupplier counter) {
        List<E> rows = new ArrayList<>(query(type, where, params, sort, cursor.backward(), cursor)
                .setMaxResults(request.pageSize() + 1)
                .getResultList());
        boolean more = rows.size() > request.pageSize();
        if (more) {
            rows.remove(rows.size() - 1);
        }
        String nextCursor;
        String previousCursor;
        if (cursor.backward()) {
            Collections.reverse(rows);
            previousCursor = more ? before(sort, rows.get(0), keyOf, idOf) : null;
            nextCursor = rows.isEmpty() ? null : after(sort, rows.get(rows.size() - 1), keyOf, idOf);
        } else {
            nextCursor = more ? after(sort, rows.get(rows.size() - 1), keyOf, idOf) : null;
            previousCursor = rows.isEmpty() ? null : before(sort, rows.get(0), keyOf, idOf);
        }
        Long count = request.count() ? counter.getAsLong() : null;
        return new Page<>(count, cursorLink(uri, nextCursor), cursorLink(uri, previousCursor), nextCursor, rows);
    }

    private <E> TypedQuery<E> query(Class<E> type, String where, Map<String, Object> params, Sort sort,
            boolean reverse, Cursor cursor) {
        boolean descending = sort.descending() != reverse;
        String direction = descending ? " desc" : " asc";
        String condition = where;
        Map<String, Object> all = params;
        if (cursor != null) {
            condition = "(" + where + ") and (e." + sort.timeField() + ", e.id) " + (descending ? "<" : ">")
                    + " (:cursorKey, :cursorId)";
            all = new HashMap<>(params);
            all.put("cursorKey", cursor.key());
            all.put("cursorId", cursor.id());
        }
        // Pages are only read and mapped to views: read-only entities skip Hibernate's snapshot of
        // each row (a deep copy, which for the jsonb columns means a JSON round trip).
        return scope.select(type, condition, "e." + sort.timeField() + direction + ", e.id" + direction, all)
                .setHint(HibernateHints.HINT_READ_ONLY, true);
    }

    private long count(Class<?> type, String where, Map<String, Object> params) {
        return scope.count(type, where, params);
    }

    private <E> String after(Sort sort, E row, Function<E, Instant> keyOf, Function<E, UUID> idOf) {
        return codec.encode(new Cursor(sort.name(), false, keyOf.apply(row), idOf.apply(row)));
    }

    private <E> String before(Sort sort, E row, Function<E, Instant> keyOf, Function<E, UUID> idOf) {
        return codec.encode(new Cursor(sort.name(), true, keyOf.apply(row), idOf.apply(row)));
    }

    public static String pageLink(UriInfo uri, int page) {
        return uri.getRequestUriBuilder().replaceQueryParam("cursor").replaceQueryParam("page", page).build()
                .toString();
    }

    public static String cursorLink(UriInfo uri, String cursor) {
        if (cursor == null) {
            return null;
        }
        UriBuilder builder = uri.getRequestUriBuilder().replaceQueryParam("page").replaceQueryParam("order")
               .replaceQueryParam("cursor", cursor);
        return builder.build().toString();
    }
}
