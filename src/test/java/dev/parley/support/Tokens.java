package dev.parley.support;

import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.Base64;

/** Real RS256 tokens, signed with the test key pair whose public half the service trusts. */
public final class Tokens {

    public static final String ISSUER = "https://parley.local/issuer";

    private static final PrivateKey KEY = load("privateKey.pem");
    private static final PrivateKey OTHER_KEY = load("otherPrivateKey.pem");

    private Tokens() {
    }

    public static String forUser(String sub) {
        return Jwt.issuer(ISSUER).subject(sub).expiresIn(3600).sign(KEY);
    }

    public static String bearer(String sub) {
        return "Bearer " + forUser(sub);
    }

    public static String expired(String sub) {
        return Jwt.issuer(ISSUER).subject(sub).issuedAt(Instant.now().minusSeconds(7200))
                .expiresAt(Instant.now().minusSeconds(3600)).sign(KEY);
    }

    public static String expiringAt(String sub, Instant exp) {
        return Jwt.issuer(ISSUER).subject(sub).expiresAt(exp).sign(KEY);
    }

    public static String wrongIssuer(String sub) {
        return Jwt.issuer("https://evil.example/issuer").subject(sub).expiresIn(3600).sign(KEY);
    }

    public static String signedByAnotherKey(String sub) {
        return Jwt.issuer(ISSUER).subject(sub).expiresIn(3600).sign(OTHER_KEY);
    }

    /** A valid token whose payload was changed to another user after signing. */
    public static String tampered(String sub, String otherSub) {
        return tampered(forUser(sub), sub, otherSub);
    }

    /** The given token with its payload changed from one user to another, signature kept. */
    public static String tampered(String token, String sub, String otherSub) {
        String[] parts = token.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("\"" + sub + "\"", "\"" + otherSub + "\"");
        return parts[0] + "." + b64(payload) + "." + parts[2];
    }

    /** An unsigned token: {"alg":"none"}. */
    public static String algNone(String sub) {
        long exp = Instant.now().plusSeconds(3600).getEpochSecond();
        return b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "."
                + b64("{\"iss\":\"" + ISSUER + "\",\"sub\":\"" + sub + "\",\"exp\":" + exp + "}") + ".";
    }

    public static String withoutSubject() {
        return Jwt.issuer(ISSUER).claim("upn", "nobody").expiresIn(3600).sign(KEY);
    }

    private static String b64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static PrivateKey load(String resource) {
        try {
            return KeyUtils.readPrivateKey(resource);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot read test key " + resource, e);
        }
    }
}
