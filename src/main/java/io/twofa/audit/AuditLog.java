package io.twofa.audit;

import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;

/** Writes audit events in the caller's transaction, so an event exists exactly when its change does. */
@ApplicationScoped
public class AuditLog {

    private final AuditRepository events;
    private final Clock clock;

    AuditLog(AuditRepository events, Clock clock) {
        this.events = events;
        this.clock = clock;
    }

    public Uni<Void> record(AuditType type, String actor, String subjectLogin, RequestOrigin origin, String detail) {
        AuditEvent e = new AuditEvent();
        e.occurredAt = clock.instant();
        e.type = type.wireName();
        e.actor = actor;
        e.subjectLogin = subjectLogin;
        e.client = origin == null ? null : origin.client();
        e.sourceIp = origin == null ? null : origin.sourceIp();
        e.detail = detail;
        return events.persist(e).replaceWithVoid();
    }
}
