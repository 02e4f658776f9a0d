package io.twofa.session;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One refresh token of a family, stored only as the SHA-256 of its value. */
@Entity
@Table(name = "refresh_token")
public class RefreshToken {

    @Id
    public UUID id;
    public UUID familyId;
    public byte[] tokenHash;
    public Instant createdAt;
    /** Idle expiry (sliding, capped by the family's absolute expiry). */
    public Instant expiresAt;
    /** Set once, when this token was exchanged for its successor. */
    public Instant rotatedAt;
}
