package io.twofa.totp;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.twofa.crypto.SecretCipher;

/** A TOTP secret bound to an account: pending during enrolment, then active. */
@Entity
@Table(name = "authenticator")
public class Authenticator {

    public static final String PENDING = "pending";
    public static final String ACTIVE = "active";

    @Id
    public UUID id;
    public UUID accountId;
    public String status;
    /** Id of the AES-256-GCM key that sealed the secret. */
    public String secretKeyId;
    public byte[] secretCiphertext;
    public Instant createdAt;
    /** Pending authenticators expire unconfirmed. */
    public Instant expiresAt;
    public Instant activatedAt;
    /** Highest accepted TOTP step; codes for it or older ones are replays. */
    public long lastUsedStep;

    public SecretCipher.Sealed sealedSecret() {
        return new SecretCipher.Sealed(secretKeyId, secretCiphertext);
    }
}
