package dev.parley.conversation;

import io.quarkus.runtime.annotations.RegisterForReflection;

@RegisterForReflection
public record BulkDeleteResult(int deletedCount, String message) {

    public static BulkDeleteResult of(int count) {
        return new BulkDeleteResult(count, "Successfully deleted " + count + " conversation(s)");
    }
}
