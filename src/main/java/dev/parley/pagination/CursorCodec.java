package dev.parley.pagination;

import dev.parley.error.ProblemException;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Opaque, tamper-evident cursors: the position as text plus an HMAC-SHA256 tag. A cursor that was
 * not issued by a Parley with the same key, or was edited, is a 400 and never reaches a query.
 */
@ApplicationScoped
public class CursorCodec {

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    private static final int TAG_BYTES = 16;

    /** The value application.properties ships with; production must replace it. */
    public static final String PLACEHOLDER_KEY = "change-me-in-production";

    private final SecretKeySpec key;

    public CursorCodec(@ConfigProperty(name = "parley.pagination.cursor-key") String secret) {
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    }

    /**
     * A production instance with the placeholder key would sign cursors that anyone who read the
     * source can forge, so it does not start.
     */
    void refusePlaceholderInProduction(@Observes StartupEvent event,
            @ConfigProperty(name = "parley.pagination.cursor-key") String secret) {
        requireRealKey(LaunchMode.current(), secret);
    }

    static void requireRealKey(LaunchMode mode, String secret) {
        if (mode == LaunchMode.NORMAL && (secret.isBlank() || PLACEHOLDER_KEY.equals(secret))) {
            throw new IllegalStateException("The pagination cursor key is the placeholder: set PARLEY_PAGINATION_CURSOR_KEY "
                    + "to a secret (e.g. openssl rand -hex 32), the same on every replica");
        }
    }

    public String encode(Cursor cursor) {
        Position at = cursor.position();
        long micros = at.key().getEpochSecond() * 1_000_000L + at.key().getNano() / 1_000;
        String payload = "1|" + cursor.order().key() + '|' + (cursor.backward() ? 'b' : 'f') + '|' + micros + '|'
                + at.id() + (at.score() == null ? "" : "|" + Float.floatToIntBits(at.score()));
        byte[] body = payload.getBytes(StandardCharsets.UTF_8);
        return ENCODER.encodeToString(body) + '.' + ENCODER.encodeToString(tag(body));
    }

    /** The cursor, if it is one this Parley issued for one of {@code orders} (a list's orders); else a 400. */
    public <O extends Enum<O> & SortOrder> Cursor decode(String text, Class<O> orders) {
        try {
            int dot = text.indexOf('.');
            if (dot < 1 || text.length() > 512) {
                throw invalid();
            }
            byte[] body = DECODER.decode(text.substring(0, dot));
            byte[] tag = DECODER.decode(text.substring(dot + 1));
            if (!MessageDigest.isEqual(tag, tag(body))) {
                throw invalid();
            }
            String[] parts = new String(body, StandardCharsets.UTF_8).split("\\|");
            if (parts.length < 5 || parts.length > 6 || !"1".equals(parts[0])) {
                throw invalid();
            }
            O order = Arrays.stream(orders.getEnumConstants()).filter(o -> o.key().equals(parts[1])).findFirst()
                    .orElseThrow(CursorCodec::invalid);
            if (order.ranked() != (parts.length == 6)) {
                throw invalid();
            }
            boolean backward = switch (parts[2]) {
                case "b" -> true;
                case "f" -> false;
                default -> throw invalid();
            };
            long micros = Long.parseLong(parts[3]);
            Instant key = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                    Math.floorMod(micros, 1_000_000L) * 1_000L);
            Float score = parts.length == 6 ? Float.intBitsToFloat(Integer.parseInt(parts[5])) : null;
            Cursor cursor = new Cursor(order, backward, new Position(score, key, UUID.fromString(parts[4])));
            // Base64 decoding ignores some trailing bits; only the canonical spelling is accepted.
            if (!encode(cursor).equals(text)) {
                throw invalid();
            }
            return cursor;
        } catch (IllegalArgumentException e) {
            throw invalid();
        }
    }

    private byte[] tag(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            byte[] full = mac.doFinal(body);
            byte[] tag = new byte[TAG_BYTES];
            System.arraycopy(full, 0, tag, 0, TAG_BYTES);
            return tag;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }

    private static ProblemException invalid() {
        return ProblemException.badRequest("cursor", "is not a valid cursor");
    }
}
