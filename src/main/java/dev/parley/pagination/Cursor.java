package dev.parley.pagination;

import java.time.Instant;
import java.util.UUID;

/**
 * A keyset position: the sort key and id of a row, the order the list is sorted in, and whether
 * the page wanted lies after the position (next) or before it (previous). Ranked lists (search)
 * also keep the row's score, their first sort key.
 */
public record Cursor(String order, boolean backward, Instant key, UUID id, Float score) {

    public Cursor(String order, boolean backward, Instant key, UUID id) {
        this(order, backward, key, id, null);
    }
}
