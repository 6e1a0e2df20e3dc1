package dev.parley.portability;

import io.quarkus.narayana.jta.runtime.TransactionConfiguration;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Erases everything a user has stored, in one transaction. The tables are found in the catalog
 * (every table of the schema with a user_id column, rate-limit buckets included), so a table added
 * later is erased without a change here.
 */
@ApplicationScoped
public class Eraser {

    /**
     * Tables with a user_id column, those that no other table references first, so that each count
     * is of rows deleted from that table itself (not by a cascade from its parent).
     */
    private static final String TABLES = """
            SELECT c.table_name
              FROM information_schema.columns c
              JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
             WHERE c.column_name = 'user_id' AND c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
             ORDER BY (SELECT count(*) FROM pg_constraint k
                        WHERE k.contype = 'f' AND k.conrelid <> k.confrelid
                          AND k.confrelid = format('%I.%I', c.table_schema, c.table_name)::regclass),
                      c.table_name""";

    @Inject
    EntityManager em;

    /** @return rows deleted per table */
    @Transactional
    @TransactionConfiguration(timeout = 600)
    public Map<String, Long> erase(String userId) {
        Map<String, Long> erased = new LinkedHashMap<>();
        @SuppressWarnings("unchecked")
        List<String> tables = em.createNativeQuery(TABLES).getResultList();
        for (String table : tables) {
            // The name comes from the catalog, quoted as an identifier; only the value is a parameter.
            int deleted = em.createNativeQuery("DELETE FROM \"" + table.replace("\"", "\"\"") + "\" WHERE user_id = :owner")
                    .setParameter("owner", userId).executeUpdate();
            erased.put(table, (long) deleted);
        }
        // Triggers record the deletions above as the user's change events: a second pass removes them.
        for (String table : tables) {
            int deleted = em.createNativeQuery("DELETE FROM \"" + table.replace("\"", "\"\"") + "\" WHERE user_id = :owner")
                    .setParameter("owner", userId).executeUpdate();
            erased.merge(table, (long) deleted, Long::sum);
        }
        return erased;
    }
}
