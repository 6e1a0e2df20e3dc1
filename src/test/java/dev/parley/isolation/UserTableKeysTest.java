package dev.parley.isolation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.parley.support.Db;
import io.quarkus.test.junit.QuarkusTest;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Reads the catalog: every table holds user data keyed by user_id, is under row-level security
 * (forced, with the owner policy), and every primary key, unique constraint and foreign key includes
 * user_id on both sides, so the schema can be distributed by user (README "Scaling out").
 */
@QuarkusTest
public class UserTableKeysTest {

    /**
     * Tables whose keys may leave user_id out, and why. Bucket4j looks its buckets up by its own key
     * column ('kind:user id', ON CONFLICT (id)); the owner is derived from it, so a distributed
     * database places the table by that key, apart from the colocated user tables it never joins.
     */
    static final Map<String, String> KEYED_OTHERWISE = Map.of(
            "rate_limit_bucket", "Bucket4j's fixed layout; distributed by id, which embeds the user");

    @Test
    void every_table_is_a_user_table_under_row_level_security() {
        List<String> problems = Db.asSuperuser(c -> {
            List<String> found = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("""
                    SELECT t.relname,
                           EXISTS (SELECT 1 FROM pg_attribute a
                                    WHERE a.attrelid = t.oid AND a.attname = 'user_id' AND NOT a.attisdropped),
                           t.relrowsecurity, t.relforcerowsecurity,
                           EXISTS (SELECT 1 FROM pg_policy p
                                    WHERE p.polrelid = t.oid AND p.polcmd = '*' AND p.polpermissive
                                      AND pg_get_expr(p.polqual, p.polrelid)
                                          = '((user_id)::text = current_setting(''parley.user_id''::text, true))'
                                      AND pg_get_expr(p.polwithcheck, p.polrelid)
                                          = '((user_id)::text = current_setting(''parley.user_id''::text, true))')
                      FROM pg_class t
                     WHERE t.relkind IN ('r', 'p') AND t.relnamespace = 'public'::regnamespace
                       AND t.relname <> 'flyway_schema_history'
                     ORDER BY 1""")) {
                while (rs.next()) {
                    String table = rs.getString(1);
                    check(found, rs.getBoolean(2), table + " has no user_id");
                    check(found, rs.getBoolean(3), table + " does not enable row-level security");
                    check(found, rs.getBoolean(4), table + " does not force row-level security");
                    check(found, rs.getBoolean(5), table + " has no owner policy on parley.user_id for every command");
                }
            }
            return found;
        });
        assertEquals(List.of(), problems);
    }

    @Test
    void every_key_and_foreign_key_of_a_user_table_includes_user_id() {
        List<String> problems = Db.asSuperuser(c -> {
            List<String> found = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("""
                    SELECT t.relname, k.conname, k.contype,
                           EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = k.conrelid
                                      AND a.attnum = ANY (k.conkey) AND a.attname = 'user_id'),
                           k.confrelid = 0 OR EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = k.confrelid
                                      AND a.attnum = ANY (k.confkey) AND a.attname = 'user_id'),
                           (SELECT array_position(k.conkey, a.attnum) FROM pg_attribute a
                             WHERE a.attrelid = k.conrelid AND a.attname = 'user_id')
                             IS NOT DISTINCT FROM
                           (SELECT array_position(k.confkey, a.attnum) FROM pg_attribute a
                             WHERE a.attrelid = k.confrelid AND a.attname = 'user_id')
                      FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid
                     WHERE k.contype IN ('p', 'u', 'f', 'x') AND t.relnamespace = 'public'::regnamespace
                       AND t.relname <> 'flyway_schema_history'
                     ORDER BY 1, 2""")) {
                while (rs.next()) {
                    String table = rs.getString(1);
                    String constraint = table + "." + rs.getString(2) + " (" + rs.getString(3) + ")";
                    if (KEYED_OTHERWISE.containsKey(table)) {
                        continue;
                    }
                    check(found, rs.getBoolean(4), constraint + " leaves out user_id");
                    check(found, rs.getBoolean(5), constraint + " refers to a key without user_id");
                    if ("f".equals(rs.getString(3))) {
                        check(found, rs.getBoolean(6), constraint + " does not match user_id to user_id");
                    }
                }
            }
            return found;
        });
        assertEquals(List.of(), problems);
    }

    @Test
    void the_exceptions_are_still_tables_with_a_key_of_their_own() {
        List<String> keys = Db.asSuperuser(c -> {
            List<String> found = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("""
                    SELECT t.relname || ':' || pg_get_constraintdef(k.oid)
                      FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid
                     WHERE k.contype = 'p' AND t.relname = ANY ('{rate_limit_bucket}')""")) {
                while (rs.next()) {
                    found.add(rs.getString(1));
                }
            }
            return found;
        });
        assertFalse(keys.isEmpty());
        assertEquals(List.of("rate_limit_bucket:PRIMARY KEY (id)"), keys, KEYED_OTHERWISE.toString());
    }

    private static void check(List<String> problems, boolean ok, String problem) {
        if (!ok) {
            problems.add(problem);
        }
    }
}
