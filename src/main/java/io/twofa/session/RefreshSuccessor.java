package io.twofa.session;

import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;

import io.twofa.crypto.SecretCipher;

/**
 * The successor of a refresh token, derived from it: {@code HMAC-SHA256(k, predecessor's 32 bytes)} with {@code k}
 * derived from the current secret-encryption key ({@link SecretCipher#derivedKey}).
 *
 * <p>Why derived rather than random: within the refresh grace period a second presenter of a rotated token must get
 * the <em>same</em> successor, but the service keeps tokens only as hashes. A derived successor can be recomputed
 * from the value the second presenter holds, so nothing reversible is ever stored: neither the plaintext nor a
 * sealed copy that would have to be erased when the grace ends (and that a database-plus-key leak would expose). The
 * HMAC is a PRF, so a successor is as unguessable as a random token to anyone without the key, and knowing old tokens
 * without the key predicts nothing. The first token of a family stays random. Whether a recomputed value really is the
 * stored successor is decided by the hash lookup, so a key rotation between rotation and grace only means trying the
 * older keys too ({@link #candidates}).
 */
@ApplicationScoped
public class RefreshSuccessor {

    private static final String PURPOSE = "twofa refresh-token successor";

    private final SecretCipher cipher;
    private final Map<String, SecretKeySpec> keys = new ConcurrentHashMap<>();

    RefreshSuccessor(SecretCipher cipher) {
        this.cipher = cipher;
    }

    /** The successor made now: with the current key. */
    String of(byte[] predecessor) {
        return derive(cipher.currentKeyId(), predecessor);
    }

    /** Every value the successor may have been made as: the current key's first, then the older keys'. */
    List<String> candidates(byte[] predecessor) {
        List<String> values = new ArrayList<>();
        values.add(derive(cipher.currentKeyId(), predecessor));
        for (String keyId : cipher.keyIds()) {
            if (!keyId.equals(cipher.currentKeyId())) {
                values.add(derive(keyId, predecessor));
            }
        }
        return values;
    }

    private String derive(String keyId, byte[] predecessor) {
        SecretKeySpec key = keys.computeIfAbsent(keyId, id -> new SecretKeySpec(cipher.derivedKey(id, PURPOSE), "HmacSHA256"));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return RefreshTokenValue.encode(mac.doFinal(predecessor));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 unavailable", e);
        }
    }
}
