package dev.parley.pagination;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.function.Function;

/** One page of a list (SPEC §4.1). next and previous are absolute URLs, or null. */
@RegisterForReflection
public record Page<T>(Long count, String next, String previous, String nextCursor, List<T> results) {

    public <R> Page<R> map(Function<T, R> mapper) {
        return new Page<>(count, next, previous, nextCursor, results.stream().map(mapper).toList());
    }
}
