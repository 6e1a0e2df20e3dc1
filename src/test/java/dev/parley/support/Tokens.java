package dev.parley.support;

import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.Base64;

/**
 * Real RS256 and ES256 tokens, signed with the test key pairs whose public halves the service trusts
 * (src/test/resources/publicKeys.jwks, where the kid of each token picks its key).
 */
public final class Tokens {

    public static final String ISSUER = "https://parley.local/issuer";

    private static final PrivateKey KEY = load("privateKey.pem");
    private static final PrivateKey OTHER_KEY = load("otherPrivateKey.pem");
    private static final PrivateKey EC_KEY = loadEc("ecPrivateKey.pem");
    public static final String RSA_KID = "test-rsa";
    public static final String EC_KID = "test-ec";

    private Tokens() {
    }

    public static String forUser(String sub) {
        return Jwt.issuer(ISSUER).subject(sub).expiresIn(3600).jws().keyId(RSA_KID).sign(KEY);
    }

    /** Signed with the EC key: ES256. */
    public static String es256(String sub) {
        return Jwt.issuer(ISSUER).subject(sub).expiresIn(3600).jws().keyId(EC_KID).algorithm(SignatureAlgorithm.ES256)
                .sign(EC_KEY);
    }

    public static String withAudience(String sub, String audience) {
        return Jwt.issuer(ISSUER).subject(sub).audience(audience).expiresIn(3600).jws().keyId(RSA_KID).sign(KEY);
    }

    /** Valid for another hour, but issued {@code ageSeconds} ago. */
    public static String issuedAgo(String sub, String audience, long ageSeconds) {
        return Jwt.issuer(ISSUER).subject(sub).audience(audience).issuedAt(Instant.now().minusSeconds(ageSeconds))
                .expiresIn(3600 + ageSeconds).jws().keyId(RSA_KID).sign(KEY);
    }

    public static String bearer(String sub) {
        return "Bearer " + forUser(sub);
    }

    public static String expired(String sub) {
        return Jwt.issuer(ISSUER).subject(sub).issuedAt(Instant.now().minusSeconds(7200))
                .expiresAt(Instant.now().minusSeconds(3600)).jws().keyId(RSA_KID).sign(KEY);
    }

    public static String expiringAt(String sub, Instant exp) {
        return Jwt.issuer(ISSUER).subject(sub).expiresAt(exp).jws().keyId(RSA_KID).sign(KEY);
    }

    public static String wrongIssuer(String sub) {
        return Jwt.issuer("https://evil.example/issuer").subject(sub).expiresIn(3600).jws().keyId(RSA_KID).sign(KEY);
    }

    public static String signedByAnotherKey(String sub) {
        return Jwt.issuer(ISSUER).subject(sub).expiresIn(3600).jws().keyId(RSA_KID).sign(OTHER_KEY);
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
        return Jwt.issuer(ISSUER).claim("upn", "nobody").expiresIn(3600).jws().keyId(RSA_KID).sign(KEY);
    }

    private static String b64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static PrivateKey loadEc(String resource) {
        try {
            return KeyUtils.readPrivateKey(resource, SignatureAlgorithm.ES256);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot read test key " + resource, e);
        }
    }

    private static PrivateKey load(String resource) {
        try {
            return KeyUtils.readPrivateKey(resource);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot read test key " + resource, e);
        }
    }
}
