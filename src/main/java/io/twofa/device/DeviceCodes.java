package io.twofa.device;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;

import io.twofa.crypto.OpaqueTokens;
import io.twofa.crypto.SecretCipher;

/**
 * The two codes of a device authorization (RFC 8628 §3.2, §6.1).
 * <p>
 * The <b>device code</b> is 256 bits from {@link SecureRandom} (Base64url, 43 characters), known only to the tool; it
 * is stored as its SHA-256, which is enough for uniformly random input of that size (as for refresh tokens).
 * <p>
 * The <b>user code</b> is what a person reads and types: 8 characters of the 20 consonants of RFC 8628 §6.1
 * ({@code BCDFGHJKLMNPQRSTVWXZ}: no vowels, so no words; no digits, so no 0/O or 1/I), about 34.6 bits, shown as
 * {@code XXXX-XXXX}. That is few enough bits to try them all against a stolen hash, so it is stored as an HMAC under a
 * key derived from the secret-encryption keys; guessing it online is throttled ({@link DeviceBudgets}).
 */
@ApplicationScoped
public class DeviceCodes {

    static final String ALPHABET = "BCDFGHJKLMNPQRSTVWXZ";
    static final int USER_CODE_LENGTH = 8;
    private static final String KEY_PURPOSE = "twofa device user-code key";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretCipher secrets;

    DeviceCodes(SecretCipher secrets) {
        this.secrets = secrets;
    }

    /** A new device code: handed to the tool once, never stored or logged. */
    static String newDeviceCode() {
        return OpaqueTokens.generate();
    }

    /** The stored form of a device code; empty for anything that is not a device code's shape. */
    static Optional<byte[]> deviceCodeHash(String value) {
        return OpaqueTokens.decode(value).map(OpaqueTokens::sha256);
    }

    /** A new user code, normalised (8 letters, no dash). */
    static String newUserCode() {
        StringBuilder code = new StringBuilder(USER_CODE_LENGTH);
        for (int i = 0; i < USER_CODE_LENGTH; i++) {
            code.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return code.toString();
    }

    /**
     * A user code as typed, normalised: letter case, dashes and spaces do not matter. Empty when it cannot be a user
     * code (wrong length or a character outside the alphabet).
     */
    public static Optional<String> normalise(String typed) {
        if (typed == null || typed.length() > 32) {
            return Optional.empty();
        }
        String code = typed.replace("-", "").replaceAll("\\s", "").toUpperCase(Locale.ROOT);
        if (code.length() != USER_CODE_LENGTH || !code.chars().allMatch(c -> ALPHABET.indexOf(c) >= 0)) {
            return Optional.empty();
        }
        return Optional.of(code);
    }

    /** "BCDFGHJK" -> "BCDF-GHJK", as shown to people. */
    public static String display(String normalised) {
        return normalised.substring(0, 4) + "-" + normalised.substring(4);
    }

    /** The keyed hash of a normalised user code under the current key, for storing. */
    byte[] userCodeHash(String normalised) {
        return hmac(secrets.currentKeyId(), normalised);
    }

    /** Its keyed hash under every configured key, for a lookup that still finds codes stored before a key rotation. */
    List<byte[]> userCodeHashes(String normalised) {
        return secrets.keyIds().stream().map(kid -> hmac(kid, normalised)).toList();
    }

    private byte[] hmac(String keyId, String normalised) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secrets.derivedKey(keyId, KEY_PURPOSE), "HmacSHA256"));
            return mac.doFinal(normalised.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 unavailable", e);
        }
    }
}
