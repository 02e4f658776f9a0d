package io.twofa.session.http;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.twofa.session.LiveSession;

/** A list of sessions, newest first, as the owner and admins see them (never a token). */
public record SessionList(List<SessionView> sessions) {

    /** One session. */
    public record SessionView(UUID id, String client, Instant createdAt, Instant lastUsedAt, Instant expiresAt) {
    }

    static SessionList of(List<LiveSession> live) {
        return new SessionList(live.stream()
                .map(s -> new SessionView(s.id(), s.client(), s.createdAt(), s.lastUsedAt(), s.expiresAt())).toList());
    }
}
