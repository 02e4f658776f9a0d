package io.twofa.policy;

import java.time.Instant;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The one site-wide policy row (SPEC §1). */
@Entity
@Table(name = "site_policy")
public class SitePolicy {

    public static final short ID = 1;

    @Id
    public Short id;
    public boolean twoFactorRequired;
    /** Shown in authenticator apps next to the login. */
    public String issuer;
    public int accessTokenLifetimeSeconds;
    public int backupCodeCount;
    /** With two-factor on: before this instant unenrolled users still log in (grace period, SPEC §8). */
    public Instant enforceFrom;
    public Instant updatedAt;
    public String updatedBy;
}
