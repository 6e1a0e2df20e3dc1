package dev.parley.pagination;

import java.util.List;
import java.util.function.Function;

/**
 * One page as a service answers it: the rows, the count when known, and where the neighbouring
 * pages are. The REST edge turns it into a {@link Page} with absolute links ({@link Page#of}).
 */
public record Slice<T>(Long count, Link next, Link previous, String nextCursor, List<T> results) {

    public <R> Slice<R> map(Function<T, R> mapper) {
        return new Slice<>(count, next, previous, nextCursor, results.stream().map(mapper).toList());
    }

    /** The same page with its rows replaced as a whole (mapped in one go, say). */
    public <R> Slice<R> with(List<R> rows) {
        return new Slice<>(count, next, previous, nextCursor, rows);
    }
}
