package dev.parley.message;

/**
 * Where a message stands among the messages sharing its parent (the versions an edit or a
 * regenerate made), oldest first: index 0..count-1.
 */
public record SiblingPosition(int index, int count) {

    /** A message with no siblings. */
    public static final SiblingPosition ONLY = new SiblingPosition(0, 1);
}
