package dev.parley.idempotency;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.error.Problem;
import dev.parley.error.ProblemException;
import dev.parley.security.DatabaseIdentity;
import dev.parley.security.OwnerSql;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Idempotency-Key on POST (SPEC §7): the first request with a key runs and its answer is kept;
 * a retry with the same key and body gets that answer back (same status, body and Location) and
 * creates nothing; the same key with another body is 422; a retry while the first still runs is
 * 409. A request that fails with an error (nothing stored) frees its key so the client can retry
 * it; an answer the work returns is kept whatever its status (a chat whose reply failed answers 502
 * with both messages stored, and its retry must not store the user message again). Keys are per
 * user and expire.
 */
@ApplicationScoped
public class Idempotency {

    public static final String HEADER = "Idempotency-Key";
    private static final int MAX_KEY_LENGTH = 255;
    static final int PURGE_BATCH = 5000;

    @Inject
    OwnerSql owned;

    @Inject
    EntityManager em;

    @Inject
    ObjectMapper json;

    @ConfigProperty(name = "parley.idempotency.ttl", defaultValue = "PT24H")
    Duration ttl;

    /** A first request still running after this long is taken to have died with its instance. */
    @ConfigProperty(name = "parley.idempotency.in-progress-timeout", defaultValue = "PT5M")
    Duration inProgressTimeout;

    /**
     * Runs {@code work} at most once per key.
     *
     * @param atomic true when {@code work} only writes the database: it then commits in one
     *        transaction with the kept answer, so a crash cannot leave a result without its key
     */
    public Response run(String key, String route, Object body, boolean atomic, Supplier<Response> work) {
        return run(key, route, body, atomic, () -> {
        }, work);
    }

    /**
     * The same, with a step that runs before {@code work} and outside any transaction, only when
     * the work runs (not for a replay): spending a rate-limit budget, which takes a connection of
     * its own and so must never run inside the work's transaction.
     */
    public Response run(String key, String route, Object body, boolean atomic, Runnable prepare,
            Supplier<Response> work) {
        if (key == null) {
            prepare.run();
            return work.get();
        }
        if (key.isBlank() || key.length() > MAX_KEY_LENGTH) {
            throw ProblemException.badRequest(HEADER, "must be 1 to " + MAX_KEY_LENGTH + " characters");
        }
        String hash = hash(route, body);
        Response replay = QuarkusTransaction.requiringNew().call(() -> claim(key, hash));
        if (replay != null) {
            return replay;
        }
        try {
            prepare.run();
            if (atomic) {
                // The work's transaction made or wrote to the conversation its answer names, so the
                // conversation is there to tie the answer to.
                return QuarkusTransaction.requiringNew().call(() -> keep(key, work.get(), true));
            }
            Response response = work.get();
            try {
                return QuarkusTransaction.requiringNew().call(() -> keep(key, response, true));
            } catch (RuntimeException e) {
                if (!conversationGone(e)) {
                    throw e;
                }
                // The conversation was deleted while the work ran (a chat's, during its reply): there
                // is nothing left to tie the answer to.
                return QuarkusTransaction.requiringNew().call(() -> keep(key, response, false));
            }
        } catch (RuntimeException e) {
            QuarkusTransaction.requiringNew().run(() -> release(key));
            throw e;
        }
    }

    /** Takes the key for this request, or answers from what an earlier request with it left. */
    private Response claim(String key, String hash) {
        owned.query("""
                DELETE FROM idempotency_key
                 WHERE user_id = :owner AND idem_key = :key
                   AND (created_at < now() - make_interval(secs => :ttl)
                        OR (status_code IS NULL AND created_at < now() - make_interval(secs => :stale)))""",
                Map.of("key", key, "ttl", (double) ttl.toSeconds(), "stale", (double) inProgressTimeout.toSeconds()))
                .executeUpdate();
        int inserted = owned.query("""
                INSERT INTO idempotency_key (user_id, idem_key, request_hash)
                VALUES (:owner, :key, :hash)
                ON CONFLICT (user_id, idem_key) DO NOTHING""", Map.of("key", key, "hash", hash))
                .executeUpdate();
        if (inserted == 1) {
            return null;
        }
        List<?> rows = owned.query("""
                SELECT request_hash, status_code, response_body, location FROM idempotency_key
                 WHERE user_id = :owner AND idem_key = :key""", Map.of("key", key)).getResultList();
        if (rows.isEmpty()) {
            throw new ProblemException(409, "A request with this Idempotency-Key is being replaced; retry", null);
        }
        Object[] row = (Object[]) rows.get(0);
        if (!hash.equals(row[0])) {
            throw new ProblemException(422,
                    "This Idempotency-Key was used with a different request; use a new key for a new request",
                    Map.of(HEADER, List.of("was used with a different request")));
        }
        if (row[1] == null) {
            throw new ProblemException(409, "The first request with this Idempotency-Key is still running; retry",
                    null, Map.of("Retry-After", "1"));
        }
        int status = ((Number) row[1]).intValue();
        Response.ResponseBuilder replay = Response.status(status)
                .type(status >= 400 ? Problem.MEDIA_TYPE : MediaType.APPLICATION_JSON)
                .entity(row[2])
                .header("Idempotent-Replayed", "true");
        if (row[3] != null) {
            replay.header("Location", row[3]);
        }
        return replay.build();
    }

    /**
     * Keeps the answer. With {@code tied}, it is tied to the conversation it is about, so that
     * deleting the conversation deletes its kept answers too: the foreign key (conversation_id,
     * user_id) -> conversation, ON DELETE CASCADE, refuses a conversation that is not the caller's
     * or no longer there.
     */
    private Response keep(String key, Response response, boolean tied) {
        String body;
        try {
            body = json.writeValueAsString(response.getEntity());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot keep the response", e);
        }
        Object location = response.getHeaders().getFirst("Location");
        Map<String, Object> params = new HashMap<>(Map.of("key", key, "status", response.getStatus(), "body", body,
                "location", location == null ? "" : location.toString()));
        params.put("conversation", tied ? conversationOf(response.getEntity()) : null);
        owned.query("""
                UPDATE idempotency_key SET status_code = :status, response_body = :body, location = :location,
                       conversation_id = CAST(:conversation AS uuid)
                 WHERE user_id = :owner AND idem_key = :key""", params)
                .executeUpdate();
        return response;
    }

    /** The conversation an answer is about: its conversation_id, or the id of a created conversation. */
    private String conversationOf(Object entity) {
        JsonNode tree = json.valueToTree(entity);
        JsonNode id = tree.hasNonNull("conversation_id") ? tree.get("conversation_id")
                : tree.hasNonNull("message_count") ? tree.get("id") : null;
        return id == null || !id.isTextual() ? null : id.asText();
    }

    /** Whether keeping failed on the foreign key to the conversation (SQLSTATE 23503). */
    private static boolean conversationGone(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && "23503".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    private void release(String key) {
        owned.query("DELETE FROM idempotency_key WHERE user_id = :owner AND idem_key = :key AND status_code IS NULL",
                Map.of("key", key)).executeUpdate();
    }

    @Scheduled(identity = "idempotency-expiry", every = "10m", delay = 1, delayUnit = java.util.concurrent.TimeUnit.MINUTES)
    void expire() {
        purgeExpired();
    }

    /**
     * Deletes expired keys of all users in batches of {@value #PURGE_BATCH}, each its own short
     * transaction, until none is left: the purge keeps up with any write rate, and never holds
     * locks on many rows at once. It runs as the purge job, which row-level security lets see and
     * delete only keys older than any request can still be using; the batch is named by key, not
     * ctid, so the statement also holds on a database distributed by user.
     *
     * @return how many keys were deleted
     */
    long purgeExpired() {
        long total = 0;
        int deleted;
        do {
            deleted = DatabaseIdentity.asSystem(DatabaseIdentity.Job.PURGE, () -> QuarkusTransaction.requiringNew()
                    .call(() -> em.createNativeQuery("""
                            DELETE FROM idempotency_key WHERE (user_id, idem_key) IN (
                                SELECT user_id, idem_key FROM idempotency_key
                                 WHERE created_at < now() - make_interval(secs => :ttl)
                                 LIMIT :batch)""")
                            .setParameter("ttl", (double) ttl.toSeconds())
                            .setParameter("batch", PURGE_BATCH)
                            .executeUpdate()));
            total += deleted;
        } while (deleted == PURGE_BATCH);
        return total;
    }

    private String hash(String route, Object body) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(route.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) '\n');
            digest.update(json.writeValueAsBytes(body));
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException | JsonProcessingException e) {
            throw new IllegalStateException("Cannot fingerprint the request", e);
        }
    }
}
