package dev.parley.pagination;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The one paging engine of every list and of search (SPEC §4.1): page mode (OFFSET, with a total
 * count) or keyset mode (a cursor, no OFFSET, stable while rows come and go). A list says how to
 * read a {@link Window} of rows and where a row sits in its order; this decides which window a
 * request asks for, trims the look-ahead row, and says where the neighbouring pages are.
 */
@ApplicationScoped
public class Pager {

    @Inject
    CursorCodec codec;

    /**
     * One list request.
     *
     * @param order the order asked for; a cursor brings its own, which wins
     * @param orders every order of this list, the ones its cursors may carry
     * @param rows reads one window of rows, in the window's reading order
     * @param position where a row sits in its order
     * @param count how many rows match, asked only when the page itself cannot tell
     */
    public record Query<T, O extends Enum<O> & SortOrder>(PageRequest request, O order,
            Function<Window<O>, List<T>> rows, Function<T, Position> position, LongSupplier count) {
    }

    public <T, O extends Enum<O> & SortOrder> Slice<T> page(Query<T, O> query) {
        PageRequest request = query.request();
        if (request.cursor() == null) {
            return offset(query);
        }
        Cursor cursor = codec.decode(request.cursor(), query.order().getDeclaringClass());
        @SuppressWarnings("unchecked")
        O order = (O) cursor.order();
        return keyset(query, order, cursor);
    }

    private <T, O extends Enum<O> & SortOrder> Slice<T> offset(Query<T, O> query) {
        PageRequest request = query.request();
        long offset = (long) (request.page() - 1) * request.pageSize();
        O order = query.order();
        List<T> rows = new ArrayList<>(query.rows().apply(
                new Window<>(order, order.descending(), null, offset, request.pageSize() + 1)));
        boolean more = rows.size() > request.pageSize();
        if (more) {
            rows.remove(rows.size() - 1);
        }
        long count = total(offset, rows.size(), more, query.count());
        Link next = more ? new Link.ToPage(request.page() + 1) : null;
        // Past the end, previous leads back to the last page that has rows.
        Link previous = request.page() > 1 ? new Link.ToPage(Math.min(request.page() - 1, lastPage(count, request)))
                : null;
        String nextCursor = more && !rows.isEmpty() ? encode(order, false, query.position().apply(rows.getLast()))
                : null;
        return new Slice<>(count, next, previous, nextCursor, rows);
    }

    private <T, O extends Enum<O> & SortOrder> Slice<T> keyset(Query<T, O> query, O order, Cursor cursor) {
        PageRequest request = query.request();
        boolean backward = cursor.backward();
        List<T> rows = new ArrayList<>(query.rows().apply(new Window<>(order, order.descending() != backward,
                cursor.position(), 0, request.pageSize() + 1)));
        boolean more = rows.size() > request.pageSize();
        if (more) {
            rows.remove(rows.size() - 1);
        }
        String next;
        String previous;
        if (backward) {
            Collections.reverse(rows);
            previous = more ? encode(order, true, query.position().apply(rows.getFirst())) : null;
            next = rows.isEmpty() ? null : encode(order, false, query.position().apply(rows.getLast()));
        } else {
            next = more ? encode(order, false, query.position().apply(rows.getLast())) : null;
            previous = rows.isEmpty() ? null : encode(order, true, query.position().apply(rows.getFirst()));
        }
        Long count = request.count() ? query.count().getAsLong() : null;
        return new Slice<>(count, next == null ? null : new Link.ToCursor(next),
                previous == null ? null : new Link.ToCursor(previous), next, rows);
    }

    /**
     * The count of a page-mode list whose page was fetched with one row more than it shows. The last
     * page, unless it lies past the end, tells the count itself (the rows before it plus its own),
     * so a one-page list or search costs one statement; any other page asks the counter.
     */
    static long total(long before, int shown, boolean more, LongSupplier counter) {
        return !more && (shown > 0 || before == 0) ? before + shown : counter.getAsLong();
    }

    private static int lastPage(long count, PageRequest request) {
        return (int) Math.max(1, (count + request.pageSize() - 1) / request.pageSize());
    }

    private String encode(SortOrder order, boolean backward, Position position) {
        return codec.encode(new Cursor(order, backward, position));
    }
}
