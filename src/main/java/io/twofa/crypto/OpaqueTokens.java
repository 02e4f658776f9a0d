package io.twofa.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * Opaque bearer values (refresh tokens, device codes): 256 random bits as unpadded base64url, 43 characters. The
 * service stores only their SHA-256 (the values are random, so no salt or slow hash is needed), which makes a leaked
 * table useless for presenting them.
 */
public final class OpaqueTokens {

    public static final int BYTES = 32;
    static final int ENCODED_LENGTH = 43;
    private static final SecureRandom RANDOM = new SecureRandom();

    private OpaqueTokens() {
    }

    /** A new value: handed to its client once, never stored or logged. */
    public static String generate() {
        byte[] bytes = new byte[BYTES];
        RANDOM.nextBytes(bytes);
        return encode(bytes);
    }

    /** The value's 32 bytes; empty for anything that does not have the shape of a value (answered like an unknown one). */
    public static Optional<byte[]> decode(String value) {
        if (value == null || value.length() != ENCODED_LENGTH) {
            return Optional.empty();
        }
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(value.getBytes(StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return raw.length == BYTES ? Optional.of(raw) : Optional.empty();
    }

    public static String encode(byte[] raw) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    /** The stored form of a value's bytes. */
    public static byte[] sha256(byte[] raw) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(raw);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
