package dev.parley.conversation;

import com.fasterxml.jackson.annotation.JsonSetter;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.validation.constraints.Size;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Body of PATCH: only the fields present change. An explicit null resets title to its default and
 * clears description, metadata or tags; the flags cannot be null.
 */
@RegisterForReflection
@Schema(name = "ConversationPatch")
public class ConversationPatch {

    private final Set<String> present = new HashSet<>();

    @Size(max = 255)
    @Schema(maxLength = 255)
    public String title;

    @Size(max = 500)
    @Schema(maxLength = 500)
    public String description;

    public Boolean archived;

    public Boolean pinned;

    public Boolean autoReply;

    public Map<String, String> metadata;

    @Schema(description = ConversationInput.TAGS)
    public List<String> tags;

    @JsonSetter("title")
    public void setTitle(String title) {
        this.title = title;
        present.add("title");
    }

    @JsonSetter("description")
    public void setDescription(String description) {
        this.description = description;
        present.add("description");
    }

    @JsonSetter("archived")
    public void setArchived(Boolean archived) {
        this.archived = archived;
        present.add("archived");
    }

    @JsonSetter("pinned")
    public void setPinned(Boolean pinned) {
        this.pinned = pinned;
        present.add("pinned");
    }

    @JsonSetter("auto_reply")
    public void setAutoReply(Boolean autoReply) {
        this.autoReply = autoReply;
        present.add("auto_reply");
    }

    @JsonSetter("metadata")
    public void setMetadata(Map<String, String> metadata) {
        this.metadata = metadata;
        present.add("metadata");
    }

    @JsonSetter("tags")
    public void setTags(List<String> tags) {
        this.tags = tags;
        present.add("tags");
    }

    public boolean has(String field) {
        return present.contains(field);
    }
}
