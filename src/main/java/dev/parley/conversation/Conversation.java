package dev.parley.conversation;

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
 * A user's conversation. Rows are only ever read through {@link dev.parley.security.OwnerScope},
 * which scopes every query to the caller (and row-level security beneath it); message_count and last_message_at are kept by the same statements that
 * add and remove messages, so listing never counts rows.
 */
@Entity
@Table(name = "conversation")
public class Conversation extends PanacheEntityBase {

    public static final String DEFAULT_TITLE = "New Conversation";

    @Id
    public UUID id;

    @Column(name = "user_id", nullable = false, updatable = false)
    public String userId;

    @Column(nullable = false, length = 255)
    public String title = DEFAULT_TITLE;

    @Column(length = 500)
    public String description;

    @Column(nullable = false)
    public boolean archived;

    @Column(nullable = false)
    public boolean pinned;

    @Column(name = "auto_reply", nullable = false)
    public boolean autoReply = true;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public Map<String, String> metadata = Map.of();

    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(nullable = false, columnDefinition = "varchar[]")
    public List<String> tags = List.of();

    /**
     * The end of the active path. Written only by statements that lock the row (new messages,
     * branch switches, deletes), never by a flush of this entity, so an edit of the title cannot
     * put back a leaf that a concurrent message replaced.
     */
    @Column(name = "current_leaf_id", insertable = false, updatable = false)
    public UUID currentLeafId;

    @Column(name = "message_count", nullable = false, insertable = false, updatable = false)
    public int messageCount;

    @Column(name = "last_message_at", insertable = false, updatable = false)
    public Instant lastMessageAt;

    @Version
    public long version;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    /** When set, the purge deletes the conversation and its messages after this instant. */
    @Column(name = "expires_at", updatable = false)
    public Instant expiresAt;
}
