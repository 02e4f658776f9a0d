package io.twofa.policy.http;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.twofa.policy.SitePolicy;

/** The policy as the API shows it. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record SitePolicyView(
        @JsonProperty("two_factor_required") boolean twoFactorRequired,
        @JsonProperty("issuer") String issuer,
        @JsonProperty("access_token_lifetime_seconds") int accessTokenLifetimeSeconds,
        @JsonProperty("backup_code_count") int backupCodeCount,
        @JsonProperty("enforce_from") Instant enforceFrom,
        @JsonProperty("updated_at") Instant updatedAt,
        @JsonProperty("updated_by") String updatedBy) {

    static SitePolicyView of(SitePolicy p) {
        return new SitePolicyView(p.twoFactorRequired, p.issuer, p.accessTokenLifetimeSeconds, p.backupCodeCount,
                p.enforceFrom, p.updatedAt, p.updatedBy);
    }
}
