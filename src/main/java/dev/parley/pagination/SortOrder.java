package dev.parley.pagination;

/**
 * One way a list can be sorted; each list declares its orders as an enum of these. The order's
 * {@link #key()} goes into the cursors it issues, so a cursor of another list or order is refused,
 * and a cursor keeps the order it was issued for.
 */
public interface SortOrder {

    /** The order's name in cursors, unique across all lists (e.g. {@code messages:asc}). */
    String key();

    /** Whether the first rows are the newest (or best ranked). */
    boolean descending();

    /** Whether rows are ranked by a score before their time; the cursor then carries the score. */
    default boolean ranked() {
        return false;
    }
}
