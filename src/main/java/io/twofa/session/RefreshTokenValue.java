package io.twofa.session;

import java.util.Optional;

import io.twofa.crypto.OpaqueTokens;

/**
 * The opaque refresh token: 256 bits from {@code SecureRandom} ({@link OpaqueTokens}), Base64url without padding (43 characters).
 *
 * <p>Stored only as SHA-256. A fast unsalted hash is enough here, unlike for passwords: the input is 256 bits of
 * uniform randomness, so there is no dictionary to try and no precomputation that helps; a stolen table of hashes
 * cannot be turned back into tokens. For the same reason the token is found by a lookup of its hash on a unique
 * index instead of a constant-time comparison in Java: the timing of that lookup can at best tell an attacker
 * how a hash of their own guess relates to stored hashes, which brings them no closer to a 2^256 preimage.
 */
final class RefreshTokenValue {

    static final int BYTES = OpaqueTokens.BYTES;

    private RefreshTokenValue() {
    }

    /** A new token value: returned to the client once, never stored or logged. */
    static String generate() {
        return OpaqueTokens.generate();
    }

    /** The stored form of a value; empty for anything that is not a token's shape (answered like an unknown token). */
    static Optional<byte[]> hashOf(String value) {
        return decode(value).map(RefreshTokenValue::hashOfRaw);
    }

    /** The token's 32 bytes; empty for anything that is not a token's shape. */
    static Optional<byte[]> decode(String value) {
        return OpaqueTokens.decode(value);
    }

    static String encode(byte[] raw) {
        return OpaqueTokens.encode(raw);
    }

    /** The stored form of a token's bytes. */
    static byte[] hashOfRaw(byte[] raw) {
        return OpaqueTokens.sha256(raw);
    }

    static byte[] hashOfNew(String value) {
        return hashOf(value).orElseThrow();
    }
}
