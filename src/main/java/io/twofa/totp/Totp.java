package io.twofa.totp;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.OptionalLong;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HOTP (RFC 4226) and TOTP (RFC 6238) as pure functions: the time is always an argument.
 */
public final class Totp {

    public static final int DIGITS = 6;
    public static final long PERIOD_SECONDS = 30;
    public static final String HMAC_SHA1 = "HmacSHA1";
    private static final int[] POWERS_OF_TEN = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000};

    private Totp() {
    }

    /** The time step (counter) that contains {@code time}. */
    public static long step(Instant time) {
        return Math.floorDiv(time.getEpochSecond(), PERIOD_SECONDS);
    }

    /** RFC 4226 §5.3: HMAC of the big-endian counter, dynamic truncation, modulo 10^digits. */
    public static int hotp(byte[] key, long counter, String algorithm, int digits) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key, "RAW"));
            byte[] hash = mac.doFinal(ByteBuffer.allocate(Long.BYTES).putLong(counter).array());
            int offset = hash[hash.length - 1] & 0x0f;
            int binary = ((hash[offset] & 0x7f) << 24) | ((hash[offset + 1] & 0xff) << 16)
                    | ((hash[offset + 2] & 0xff) << 8) | (hash[offset + 3] & 0xff);
            return binary % POWERS_OF_TEN[digits];
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC unavailable: " + algorithm, e);
        }
    }

    /** The code as users type it: zero-padded to {@code digits}. */
    public static String format(int code, int digits) {
        String s = Integer.toString(code);
        return "0".repeat(digits - s.length()) + s;
    }

    /** The 6-digit SHA-1 code of the step containing {@code time}, as authenticator apps show it. */
    public static String code(byte[] key, Instant time) {
        return format(hotp(key, step(time), HMAC_SHA1, DIGITS), DIGITS);
    }

    /**
     * The step among T-window..T+window whose code equals {@code candidate}, if any. Every step of the window is
     * computed and compared in constant time, so the answer's timing does not tell which step matched.
     */
    public static OptionalLong matchingStep(byte[] key, String candidate, Instant now, int window) {
        if (candidate == null || candidate.length() != DIGITS || !isAsciiDigits(candidate)) {
            return OptionalLong.empty();
        }
        byte[] given = candidate.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        long current = step(now);
        long found = Long.MIN_VALUE;
        for (long s = current - window; s <= current + window; s++) {
            byte[] expected = format(hotp(key, s, HMAC_SHA1, DIGITS), DIGITS).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            if (MessageDigest.isEqual(expected, given)) {
                found = s;
            }
        }
        return found == Long.MIN_VALUE ? OptionalLong.empty() : OptionalLong.of(found);
    }

    private static boolean isAsciiDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }
}
