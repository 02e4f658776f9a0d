package io.twofa.session;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * One desktop session: what the original login proved, and how long its refresh tokens may go on. Each refresh
 * rotates the family's token; reuse of a rotated one revokes the whole family.
 */
@Entity
@Table(name = "refresh_family")
public class RefreshFamily {

    @Id
    public UUID id;
    public UUID accountId;
    public String client;
    /** The {@code amr} of the original login, space-separated. */
    public String amr;
    /** {@code totp} or {@code backup_code} after a second factor; null after the password alone. */
    public String factor;
    public Instant authTime;
    public Instant createdAt;
    public Instant lastUsedAt;
    public Instant absoluteExpiry;
    public Instant revokedAt;
    public String revokedReason;

    public List<String> amrList() {
        return Arrays.asList(amr.split(" "));
    }

    public boolean provedSecondFactor() {
        return amrList().contains("mfa");
    }
}
