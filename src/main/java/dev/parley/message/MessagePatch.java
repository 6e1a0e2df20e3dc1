package dev.parley.message;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonSetter;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.validation.constraints.Size;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of PATCH: only the fields present change. role may be given only if it stays the same. */
@RegisterForReflection
@Schema(name = "MessagePatch")
public class MessagePatch {

    private final Set<String> present = new HashSet<>();

    public Role role;

    public String content;

    public UUID parentId;

    @Size(max = 255)
    public String threadId;

    @Size(max = 100)
    public String endpoint;

    @Size(max = 255)
    public String model;

    public Map<String, Object> metadata;

    @Size(max = 128)
    public List<Map<String, Object>> toolCalls;

    @JsonSetter("role")
    public void setRole(Role role) {
        this.role = role;
        present.add("role");
    }

    @JsonSetter("content")
    @JsonAlias("text")
    public void setContent(String content) {
        this.content = content;
        present.add("content");
    }

    @JsonSetter("parent_id")
    public void setParentId(UUID parentId) {
        this.parentId = parentId;
        present.add("parent_id");
    }

    @JsonSetter("thread_id")
    public void setThreadId(String threadId) {
        this.threadId = threadId;
        present.add("thread_id");
    }

    @JsonSetter("endpoint")
    public void setEndpoint(String endpoint) {
        this.endpoint = endpoint;
        present.add("endpoint");
    }

    @JsonSetter("model")
    public void setModel(String model) {
        this.model = model;
        present.add("model");
    }

    @JsonSetter("metadata")
    public void setMetadata(Map<String, Object> metadata) {
        this.metadata = metadata;
        present.add("metadata");
    }

    @JsonSetter("tool_calls")
    public void setToolCalls(List<Map<String, Object>> toolCalls) {
        this.toolCalls = toolCalls;
        present.add("tool_calls");
    }

    public boolean has(String field) {
        return present.contains(field);
    }
}
