package io.twofa.session;

import java.time.Instant;
import java.util.UUID;

/** One refresh-token family as its owner and admins see it; never the token. */
public record SessionView(UUID id, String client, Instant createdAt, Instant lastUsedAt, Instant expiresAt) {
}
