package io.twofa.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM for TOTP secrets, and HMAC-SHA256 for backup codes, over a ring of 256-bit keys by id.
 * The ciphertext is bound to its owner (associated data), so a row copied to another account does not decrypt.
 */
public final class SecretCipher {

    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A ciphertext ({@code iv || ciphertext+tag}) and the id of the key that made it. */
    public record Sealed(String keyId, byte[] data) {
    }

    private final Map<String, SecretKey> keys = new TreeMap<>();
    private final Map<String, byte[]> rawKeys = new TreeMap<>();
    private final Map<String, SecretKey> hmacKeys = new TreeMap<>();
    private final String currentId;

    /** @param base64Keys 32-byte keys in Base64 by id */
    public SecretCipher(Map<String, String> base64Keys, String currentId) {
        base64Keys.forEach((id, b64) -> {
            byte[] raw = Base64.getDecoder().decode(b64.trim());
            if (raw.length != 32) {
                throw new IllegalStateException("Key " + id + " must be 32 bytes (256 bits), it has " + raw.length);
            }
            keys.put(id, new SecretKeySpec(raw, "AES"));
            rawKeys.put(id, raw);
            // a separate key for hashing, derived so that one stored key serves both without reuse
            hmacKeys.put(id, new SecretKeySpec(hmac(new SecretKeySpec(raw, "HmacSHA256"),
                    "twofa backup-code hash key".getBytes(StandardCharsets.UTF_8)), "HmacSHA256"));
        });
        this.currentId = currentId;
    }

    public static String newKeyBase64() {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        return Base64.getEncoder().encodeToString(raw);
    }

    public String currentKeyId() {
        return currentId;
    }

    /** Every configured key id (the current one and those kept for data sealed before a rotation). */
    public java.util.Set<String> keyIds() {
        return java.util.Collections.unmodifiableSet(keys.keySet());
    }

    public Sealed seal(byte[] plaintext, String owner) {
        byte[] iv = new byte[IV_BYTES];
        RANDOM.nextBytes(iv);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, keys.get(currentId), new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(owner.getBytes(StandardCharsets.UTF_8));
            byte[] ct = cipher.doFinal(plaintext);
            return new Sealed(currentId, ByteBuffer.allocate(IV_BYTES + ct.length).put(iv).put(ct).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    public byte[] open(Sealed sealed, String owner) {
        SecretKey key = keys.get(sealed.keyId());
        if (key == null) {
            throw new IllegalStateException("No key with id " + sealed.keyId() + " is configured");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed.data(), 0, IV_BYTES));
            cipher.updateAAD(owner.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(sealed.data(), IV_BYTES, sealed.data().length - IV_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Stored secret does not decrypt (wrong key or tampered row)", e);
        }
    }

    /**
     * A 256-bit key for another purpose, derived from the key {@code keyId} (HMAC-SHA256 of the purpose's name), so
     * one stored key serves several uses without reusing it, and every instance that shares the keys derives the same.
     */
    public byte[] derivedKey(String keyId, String purpose) {
        byte[] raw = rawKeys.get(keyId);
        if (raw == null) {
            throw new IllegalStateException("No key with id " + keyId + " is configured");
        }
        return hmac(new SecretKeySpec(raw, "HmacSHA256"), purpose.getBytes(StandardCharsets.UTF_8));
    }

    /** Keyed hash of a normalised value with the key {@code keyId}; equal inputs give equal hashes for lookups. */
    public byte[] keyedHash(String keyId, String value) {
        SecretKey key = hmacKeys.get(keyId);
        if (key == null) {
            throw new IllegalStateException("No key with id " + keyId + " is configured");
        }
        return hmac(key, value.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] hmac(SecretKey key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 unavailable", e);
        }
    }
}
