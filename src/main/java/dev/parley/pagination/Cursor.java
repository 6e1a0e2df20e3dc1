package dev.parley.pagination;

/**
 * A keyset position in a sorted list, and whether the page wanted lies after it (next) or before
 * it (previous).
 */
public record Cursor(SortOrder order, boolean backward, Position position) {
}
