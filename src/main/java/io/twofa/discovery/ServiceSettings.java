package io.twofa.discovery;

import java.time.Instant;
import java.util.List;

/**
 * What a client may learn about the service before its first login (SPEC §8): the values behind the discovery
 * document, without its URLs (those depend on the address the client used).
 */
public record ServiceSettings(String issuer, String accessTokenAudience, List<String> secondFactors, List<String> clientKinds,
        List<String> refreshTokenClients, boolean twoFactorRequired, Instant enforceFrom, long accessTokenLifetimeSeconds,
        long challengeTokenLifetimeSeconds, long refreshTokenIdleLifetimeSeconds, long refreshTokenAbsoluteLifetimeSeconds,
        long refreshGracePeriodSeconds) {
}
