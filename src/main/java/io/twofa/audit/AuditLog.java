package io.twofa.audit;

import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.twofa.operations.EventMetrics;

/**
 * Writes audit events in the caller's transaction, so an event exists exactly when its change does; each event is
 * also counted in the {@code twofa_events_total} metric (see {@link EventMetrics} for when).
 */
@ApplicationScoped
public class AuditLog {

    private final AuditRepository events;
    private final Clock clock;
    private final EventMetrics metrics;

    AuditLog(AuditRepository events, Clock clock, EventMetrics metrics) {
        this.events = events;
        this.clock = clock;
        this.metrics = metrics;
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
        e.requestId = origin == null ? null : origin.requestId();
        return events.persist(e).invoke(() -> metrics.recorded(type, detail)).replaceWithVoid();
    }
}
