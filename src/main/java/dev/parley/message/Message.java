package dev.parley.message;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * One message of a conversation. The owner's user id is stored on the row itself so that every
 * message query is scoped without a join; rows are only read through
 * {@link dev.parley.security.OwnerScope}, and row-level security keeps even the inherited Panache
 * statics to the current identity's rows.
 */
@Entity
@Table(name = "message")
public class Message extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "conversation_id", nullable = false, updatable = false)
    public UUID conversationId;

    @Column(name = "user_id", nullable = false, updatable = false)
    public String userId;

    @Column(nullable = false, updatable = false, length = 16)
    public Role role;

    @Column(nullable = false, columnDefinition = "text")
    public String content;

    @Column(nullable = false, length = 16)
    public MessageStatus status = MessageStatus.COMPLETE;

    @Column(name = "parent_id")
    public UUID parentId;

    @Column(name = "thread_id", length = 255)
    public String threadId;

    @Column(length = 100)
    public String endpoint;

    @Column(length = 255)
    public String model;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "tool_calls", nullable = false)
    public List<Map<String, Object>> toolCalls = List.of();

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public Map<String, Object> metadata = Map.of();

    @Version
    public long version;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}
