package io.twofa.session;

import java.time.Instant;
import java.util.UUID;

/** One live refresh-token family (a session) of an account; never the token. */
public record LiveSession(UUID id, String client, Instant createdAt, Instant lastUsedAt, Instant expiresAt) {
}
