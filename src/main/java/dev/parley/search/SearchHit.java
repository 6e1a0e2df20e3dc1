package dev.parley.search;

import dev.parley.message.MessageView;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** One search result: the message, where it lives, and why it matched. */
@RegisterForReflection
public record SearchHit(
        MessageView message,
        UUID conversationId,
        String conversationTitle,
        @Schema(description = "HTML-escaped excerpt with matched terms in <mark>…</mark>",
                examples = "Find a <mark>hotel</mark> near the river") String snippet,
        @Schema(description = "Relevance; more matches rank higher") float rank,
        @Schema(description = "Whether the message is on its conversation's active path (the branch from the root to "
                + "the current leaf); false for a message on another branch") boolean onActivePath) {
}
