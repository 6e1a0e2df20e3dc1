package dev.parley.search;

import dev.parley.pagination.SortOrder;

/** How search results are sorted: by rank, then newest first, then id. */
public enum SearchOrder implements SortOrder {
    BY_RANK;

    @Override
    public String key() {
        return "search:rank";
    }

    @Override
    public boolean descending() {
        return true;
    }

    @Override
    public boolean ranked() {
        return true;
    }
}
