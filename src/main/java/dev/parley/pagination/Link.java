package dev.parley.pagination;

/** Where a page's next or previous link leads: a page number, or a keyset cursor. */
public sealed interface Link {

    record ToPage(int page) implements Link {
    }

    record ToCursor(String cursor) implements Link {
    }
}
