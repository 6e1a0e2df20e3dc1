package dev.parley.portability;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The answer of POST /api/import: what became of each conversation of the file, and what was skipped. */
@RegisterForReflection
@Schema(name = "ImportResult")
public record ImportResult(
        @Schema(examples = "chatgpt") String format,
        @Schema(description = "Conversations stored by this import") int conversationsImported,
        @Schema(description = "Messages stored by this import") int messagesImported,
        @Schema(description = "Conversations found already imported by an earlier import of the same source")
        int conversationsAlreadyImported,
        @Schema(description = "One entry per conversation of the file that was stored or found already imported")
        List<Item> conversations,
        @Schema(description = "What was skipped, and why; a conversation listed here was not stored at all "
                + "unless it is also listed under conversations")
        List<ImportProblem> problems) {

    @RegisterForReflection
    @Schema(name = "ImportedConversation")
    public record Item(
            @Schema(description = "The conversation's id in the source file") String sourceId,
            @Schema(description = "The Parley conversation holding it") UUID conversationId,
            String title,
            @Schema(description = "Messages stored (0 when already imported)") int messages,
            @Schema(enumeration = {"imported", "already_imported"}) String status) {
    }

    @RegisterForReflection
    @Schema(name = "ImportProblem")
    public record ImportProblem(
            @Schema(description = "The source conversation concerned, when known") String sourceId,
            String detail) {
    }
}
