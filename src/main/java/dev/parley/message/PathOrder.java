package dev.parley.message;

import dev.parley.pagination.SortOrder;

/** How the active path of a conversation is sorted: by creation time, then id. */
public enum PathOrder implements SortOrder {
    OLDEST_FIRST, NEWEST_FIRST;

    @Override
    public String key() {
        return this == NEWEST_FIRST ? "path:desc" : "path:asc";
    }

    @Override
    public boolean descending() {
        return this == NEWEST_FIRST;
    }
}
