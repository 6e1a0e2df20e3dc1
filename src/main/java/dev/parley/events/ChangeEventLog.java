package dev.parley.events;

import dev.parley.security.OwnerSql;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The caller's retained change events, for a client that resumes the feed with Last-Event-ID. */
@ApplicationScoped
@Transactional(Transactional.TxType.REQUIRED)
public class ChangeEventLog {

    @Inject
    OwnerSql owned;

    /** Whether the caller's event {@code id} is still retained: only then can the feed resume after it. */
    public boolean retained(long id) {
        return !owned.query("SELECT 1 FROM change_event WHERE user_id = :owner AND id = :id", Map.of("id", id))
                .getResultList().isEmpty();
    }

    /** The caller's events after {@code id}, oldest first, at most {@code limit}. */
    public List<ChangeEvent> after(long id, int limit) {
        List<?> rows = owned.query("""
                SELECT id, type, data::text FROM change_event
                 WHERE user_id = :owner AND id > :id
                 ORDER BY id LIMIT :limit""", Map.of("id", id, "limit", limit))
                .getResultList();
        List<ChangeEvent> events = new ArrayList<>(rows.size());
        for (Object r : rows) {
            Object[] row = (Object[]) r;
            events.add(new ChangeEvent(((Number) row[0]).longValue(), (String) row[1], (String) row[2]));
        }
        return events;
    }

    /** The caller's newest event id, or 0. */
    public long latestId() {
        return ((Number) owned.query("SELECT coalesce(max(id), 0) FROM change_event WHERE user_id = :owner",
                Map.of()).getSingleResult()).longValue();
    }
}
