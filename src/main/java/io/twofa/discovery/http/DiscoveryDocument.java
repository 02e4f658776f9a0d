package io.twofa.discovery.http;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.twofa.discovery.ServiceSettings;

/**
 * GET /.well-known/twofa-configuration: the service's settings and absolute endpoint URLs (members as in the client
 * contract; snake_case on the wire). Every member is always present; {@code enforce_from} may be null.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record DiscoveryDocument(String issuer, String jwksUri, String accessTokenAudience, String loginEndpoint,
        String verifyEndpoint, String refreshEndpoint, String logoutEndpoint, String enrollmentEndpoint,
        String enrollmentConfirmEndpoint, String stepUpEndpoint, String sessionsEndpoint, String deviceAuthorizationEndpoint,
        String deviceTokenEndpoint, List<String> secondFactorsSupported, List<String> clientKinds,
        List<String> refreshTokenClients, boolean twoFactorRequired, Instant enforceFrom, long accessTokenLifetimeSeconds,
        long challengeTokenLifetimeSeconds, long refreshTokenIdleLifetimeSeconds, long refreshTokenAbsoluteLifetimeSeconds,
        long refreshGracePeriodSeconds) {

    /** {@code base}: scheme, host, port (and path prefix) the request reached the service at, no trailing slash. */
    static DiscoveryDocument of(ServiceSettings s, String base) {
        return new DiscoveryDocument(s.issuer(), base + "/.well-known/jwks.json", s.accessTokenAudience(),
                base + "/api/v1/auth/login", base + "/api/v1/auth/verify", base + "/api/v1/auth/refresh",
                base + "/api/v1/auth/logout", base + "/api/v1/enrollment", base + "/api/v1/enrollment/confirm",
                base + "/api/v1/auth/step-up", base + "/api/v1/me/sessions", base + "/api/v1/device/authorize",
                base + "/api/v1/device/token", s.secondFactors(), s.clientKinds(), s.refreshTokenClients(),
                s.twoFactorRequired(), s.enforceFrom(), s.accessTokenLifetimeSeconds(), s.challengeTokenLifetimeSeconds(),
                s.refreshTokenIdleLifetimeSeconds(), s.refreshTokenAbsoluteLifetimeSeconds(), s.refreshGracePeriodSeconds());
    }
}
