package dev.parley.conversation;

import dev.parley.pagination.SortOrder;

/** How the conversation list is sorted: most recently active first (updated_at, then id). */
public enum ConversationOrder implements SortOrder {
    BY_ACTIVITY;

    @Override
    public String key() {
        return "conversations:desc";
    }

    @Override
    public boolean descending() {
        return true;
    }
}
