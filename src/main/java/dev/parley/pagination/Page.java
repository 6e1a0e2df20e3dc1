package dev.parley.pagination;

import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import java.util.function.Function;

/** One page of a list (SPEC §4.1). next and previous are absolute URLs, or null. */
@RegisterForReflection
public record Page<T>(Long count, String next, String previous, String nextCursor, List<T> results) {

    public <R> Page<R> map(Function<T, R> mapper) {
        return new Page<>(count, next, previous, nextCursor, results.stream().map(mapper).toList());
    }

    /** The answer to the request {@code uri} names: its links are that request with another page or cursor. */
    public static <T> Page<T> of(Slice<T> slice, UriInfo uri) {
        return new Page<>(slice.count(), link(uri, slice.next()), link(uri, slice.previous()), slice.nextCursor(),
                slice.results());
    }

    private static String link(UriInfo uri, Link link) {
        return switch (link) {
            case null -> null;
            case Link.ToPage page -> uri.getRequestUriBuilder().replaceQueryParam("cursor")
                    .replaceQueryParam("page", page.page()).build().toString();
            // A cursor carries its order, and page mode ends where keyset mode begins.
            case Link.ToCursor cursor -> uri.getRequestUriBuilder().replaceQueryParam("page").replaceQueryParam("order")
                    .replaceQueryParam("cursor", cursor.cursor()).build().toString();
        };
    }
}
