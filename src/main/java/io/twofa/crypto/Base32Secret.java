package io.twofa.crypto;

import java.security.SecureRandom;

import org.apache.commons.codec.binary.Base32;

/** TOTP shared secrets: 160 random bits, shown to users as unpadded Base32 (RFC 4648), as authenticator apps expect. */
public final class Base32Secret {

    public static final int SECRET_BYTES = 20;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Base32Secret() {
    }

    public static byte[] generate() {
        byte[] secret = new byte[SECRET_BYTES];
        RANDOM.nextBytes(secret);
        return secret;
    }

    public static String encode(byte[] secret) {
        return new Base32().encodeToString(secret).replace("=", "");
    }

    public static byte[] decode(String base32) {
        return new Base32().decode(base32);
    }
}
