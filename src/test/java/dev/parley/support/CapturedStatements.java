package dev.parley.support;

import io.quarkus.hibernate.orm.PersistenceUnitExtension;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.hibernate.resource.jdbc.spi.StatementInspector;

/**
 * The SQL the application sends to PostgreSQL through Hibernate (entity queries and native ones
 * alike), recorded while a test asks for it, so that a test can examine the statements the app
 * really runs (their plans, say) instead of copies that drift. Statements pass unchanged.
 */
@PersistenceUnitExtension
@ApplicationScoped
public class CapturedStatements implements StatementInspector {

    private static final List<String> CAPTURED = new CopyOnWriteArrayList<>();
    private static volatile boolean recording;
    /** When set, only this thread's statements are recorded (background work runs meanwhile). */
    private static volatile Thread only;

    @Override
    public String inspect(String sql) {
        if (recording && (only == null || only == Thread.currentThread())) {
            CAPTURED.add(sql);
        }
        return sql;
    }

    /** Every statement this thread prepares while {@code action} runs on it. */
    public static synchronized List<String> onThisThread(Runnable action) {
        only = Thread.currentThread();
        try {
            return during(action);
        } finally {
            only = null;
        }
    }

    /** Every statement prepared while {@code action} runs (requests it makes included). */
    public static synchronized List<String> during(Runnable action) {
        CAPTURED.clear();
        recording = true;
        try {
            action.run();
        } finally {
            recording = false;
        }
        List<String> statements = new ArrayList<>(CAPTURED);
        CAPTURED.clear();
        return statements;
    }
}
