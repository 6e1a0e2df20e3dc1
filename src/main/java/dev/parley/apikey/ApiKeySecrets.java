package dev.parley.apikey;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * The secret of a key: {@code pk_live_} and 43 base62 characters from a CSPRNG (62^43 > 2^256,
 * so at least 256 bits of randomness).
 *
 * <p>Only SHA-256 of the secret is stored. A password needs a slow, salted KDF because people pick
 * guessable ones; this secret is 256 random bits, so no dictionary or brute force can reach it and
 * a salt would protect nothing. A single fast hash is then the standard choice, and it lets the
 * database find a key by its hash with an index, which a salted hash could not.
 */
public final class ApiKeySecrets {

    public static final String PREFIX = "pk_live_";
    /** Characters of a secret shown in lists, so that a user can tell keys apart. */
    public static final int SHOWN_LENGTH = PREFIX.length() + 4;
    static final int RANDOM_LENGTH = 43;
    private static final char[] BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
            .toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiKeySecrets() {
    }

    public static String generate() {
        StringBuilder secret = new StringBuilder(PREFIX.length() + RANDOM_LENGTH).append(PREFIX);
        byte[] bytes = new byte[64];
        while (secret.length() < PREFIX.length() + RANDOM_LENGTH) {
            RANDOM.nextBytes(bytes);
            for (byte b : bytes) {
                int v = b & 0xff;
                // Rejection sampling: 248 = 4 * 62, so every character is equally likely.
                if (v < 248 && secret.length() < PREFIX.length() + RANDOM_LENGTH) {
                    secret.append(BASE62[v % 62]);
                }
            }
        }
        return secret.toString();
    }

    /** Whether this credential is shaped like a key (and so is not a JWT to verify). */
    public static boolean looksLikeKey(String credential) {
        return credential != null && credential.startsWith(PREFIX);
    }

    public static byte[] hash(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    /** Constant-time comparison, so that timing tells nothing about how much of a hash matched. */
    public static boolean sameHash(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }

    public static String shown(String secret) {
        return secret.substring(0, SHOWN_LENGTH);
    }
}
