package io.twofa.session;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * The opaque refresh token: 256 bits from {@link SecureRandom}, Base64url without padding (43 characters).
 *
 * <p>Stored only as SHA-256. A fast unsalted hash is enough here, unlike for passwords: the input is 256 bits of
 * uniform randomness, so there is no dictionary to try and no precomputation that helps; a stolen table of hashes
 * cannot be turned back into tokens. For the same reason the token is found by a lookup of its hash on a unique
 * index instead of a constant-time comparison in Java: the timing of that lookup can at best tell an attacker
 * how a hash of their own guess relates to stored hashes, which brings them no closer to a 2^256 preimage.
 */
final class RefreshTokenValue {

    static final int BYTES = 32;
    private static final int ENCODED_LENGTH = 43;
    private static final SecureRandom RANDOM = new SecureRandom();

    private RefreshTokenValue() {
    }

    /** A new token value: returned to the client once, never stored or logged. */
    static String generate() {
        byte[] bytes = new byte[BYTES];
        RANDOM.nextBytes(bytes);
        return encode(bytes);
    }

    /** The stored form of a value; empty for anything that is not a token's shape (answered like an unknown token). */
    static Optional<byte[]> hashOf(String value) {
        return decode(value).map(RefreshTokenValue::hashOfRaw);
    }

    /** The token's 32 bytes; empty for anything that is not a token's shape. */
    static Optional<byte[]> decode(String value) {
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

    static String encode(byte[] raw) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    /** The stored form of a token's bytes. */
    static byte[] hashOfRaw(byte[] raw) {
        return sha256(raw);
    }

    static byte[] hashOfNew(String value) {
        return hashOf(value).orElseThrow();
    }

    private static byte[] sha256(byte[] raw) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(raw);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
