package dev.parley.message;

import dev.parley.pagination.SortOrder;

/** How a conversation's message list is sorted: by creation time, then id. */
public enum MessageOrder implements SortOrder {
    OLDEST_FIRST, NEWEST_FIRST;

    @Override
    public String key() {
        return this == NEWEST_FIRST ? "messages:desc" : "messages:asc";
    }

    @Override
    public boolean descending() {
        return this == NEWEST_FIRST;
    }
}
