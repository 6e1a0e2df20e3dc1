package dev.parley.security;

import io.agroal.api.AgroalPoolInterceptor;
import io.quarkus.arc.Arc;
import io.quarkus.arc.InjectableContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.postgresql.PGConnection;

/**
 * Sets the identity row-level security checks (parley.user_id, parley.system) on every connection
 * the application takes from the pool, so no code path reaches the database without it: Hibernate
 * in a transaction or not, native queries, plain JDBC, Bucket4j's own connection alike. The identity
 * is the thread's {@link DatabaseIdentity} when background work named one, otherwise the request's
 * user, otherwise nobody (no rows).
 *
 * <p><b>Session-level, remembered per physical connection.</b> The settings are made for the
 * session ({@code set_config(..., false)}) and this class remembers, per physical connection, the
 * identity the session holds; an acquisition for the same identity sends nothing. That saves the
 * extra round trip (and, for reads that run without a transaction, the extra transaction) that a
 * {@code set_config(..., true)} on every acquisition costs; it cannot be folded into the first
 * statement instead, which Hibernate, Bucket4j or the export write and which must stay one result.
 *
 * <p>Why this is as safe as a transaction-local setting:
 * <ul>
 * <li>Every acquisition from the pool goes through here, and every acquisition whose identity
 * differs from the remembered one overwrites both settings before the borrower's first statement,
 * including an acquisition with no identity (both set to '', which no policy matches). So a
 * connection never carries one user's id into another's work: the next borrower either is that same
 * identity or replaces it.</li>
 * <li>What is remembered is only ever what the session certainly holds. Set outside a transaction
 * (auto-commit), the setting commits at once. Set inside one, a rollback would undo it, so the
 * connection is marked unknown first and the identity is remembered only when that transaction has
 * committed, and only if no later acquisition of the connection has happened meanwhile (a
 * compare-and-set on a per-acquisition token). Unknown always means "set it again".</li>
 * <li>Nothing in the application sets these settings anywhere else; a {@code set_config(..., true)}
 * would end with its transaction and leave the session value as it was.</li>
 * <li>A connection that is new, or was replaced after a failure, is unknown and gets set.</li>
 * </ul>
 */
@ApplicationScoped
public class RowSecurity implements AgroalPoolInterceptor {

    private static final String SET = "SELECT set_config('parley.user_id', ?, false), set_config('parley.system', ?, false)";

    /** What a session holds when the last setting's transaction has not (yet) committed. */
    private static final class Unknown {
    }

    /** Per physical connection: its session's identity, or an {@link Unknown} while it is not certain. */
    private final Map<PGConnection, AtomicReference<Object>> sessions = Collections.synchronizedMap(new WeakHashMap<>());

    @Inject
    TransactionSynchronizationRegistry transactions;

    @Override
    public void onConnectionAcquire(Connection connection) {
        DatabaseIdentity.Identity wanted = identity();
        try {
            AtomicReference<Object> session = sessions.computeIfAbsent(connection.unwrap(PGConnection.class),
                    c -> new AtomicReference<>(new Unknown()));
            if (wanted.equals(session.get())) {
                return;
            }
            Unknown setting = new Unknown();
            session.set(setting);
            boolean inTransaction = !connection.getAutoCommit();
            try (PreparedStatement set = connection.prepareStatement(SET)) {
                set.setString(1, wanted.userId());
                set.setString(2, wanted.job());
                set.execute();
            }
            if (!inTransaction) {
                session.compareAndSet(setting, wanted);
            } else if (transactions.getTransactionStatus() == Status.STATUS_ACTIVE) {
                transactions.registerInterposedSynchronization(new Synchronization() {
                    @Override
                    public void beforeCompletion() {
                    }

                    @Override
                    public void afterCompletion(int status) {
                        if (status == Status.STATUS_COMMITTED) {
                            session.compareAndSet(setting, wanted);
                        }
                    }
                });
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot set the database identity", e);
        }
    }

    static DatabaseIdentity.Identity identity() {
        DatabaseIdentity.Identity explicit = DatabaseIdentity.current();
        if (explicit != null) {
            return explicit;
        }
        InjectableContext requests = Arc.container().requestContext();
        if (requests.isActive()) {
            String user = Arc.container().instance(CurrentUser.class).get().idIfAuthenticated();
            if (user != null) {
                return new DatabaseIdentity.Identity(user, "");
            }
        }
        return DatabaseIdentity.Identity.NOBODY;
    }
}
