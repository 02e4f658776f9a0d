package io.twofa.audit;

import java.time.Clock;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import io.twofa.database.Sql;
import io.twofa.web.RequestOrigin;

/**
 * Writes audit events in the caller's transaction, so an event exists exactly when its change does; each event is
 * also counted in the {@code twofa_events_total} metric (see {@link AuditMetrics} for when).
 */
@ApplicationScoped
public class AuditLog {

    private final AuditRepository events;
    private final Clock clock;
    private final AuditMetrics metrics;

    AuditLog(AuditRepository events, Clock clock, AuditMetrics metrics) {
        this.events = events;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** An event that is not about a second factor, in the caller's Hibernate transaction. */
    public Uni<Void> record(AuditType type, String actor, String subjectLogin, RequestOrigin origin, String detail) {
        return record(new Entry(type, null, actor, subjectLogin, origin, detail));
    }

    /**
     * An admin action (or another action of a logged-in actor) with the age of the actor's authentication, in the
     * caller's Hibernate transaction.
     */
    public Uni<Void> record(AuditType type, String actor, String subjectLogin, RequestOrigin origin, String detail,
            long actorAuthAgeSeconds) {
        return record(new Entry(type, null, actor, subjectLogin, origin, detail, actorAuthAgeSeconds));
    }

    /** An event, in the caller's Hibernate transaction. */
    public Uni<Void> record(Entry entry) {
        return events.persist(entry.toEvent(clock)).invoke(() -> counted(entry)).replaceWithVoid();
    }

    /**
     * The event as a piece of a statement composed by the caller (see {@link io.twofa.database.Statement}), written
     * when {@code gate} returned a row ({@code ifPresent}) or none; {@code gate} null: always. The caller calls
     * {@link #counted} once the statement has run and it knows the event was written.
     */
    public Sql insert(String key, Entry entry, String gate, boolean ifPresent) {
        return AuditRepository.insert(key, gate, ifPresent, entry.toEvent(clock));
    }

    /** Counts an event written by a composed statement. */
    public void counted(Entry entry) {
        metrics.recorded(entry.type(), entry.factor());
    }

    /** The trail for admins: newest first, filtered by login and type, keyset-paginated by id. */
    @WithSession
    public Uni<List<AuditEvent>> newestFirst(String login, String type, Long beforeId, int limit) {
        return events.findNewestFirst(login, type, beforeId, limit);
    }

    /** One audit event. {@code factor}: the second factor it is about (a metrics label), or null. */
    public record Entry(AuditType type, String factor, String actor, String subjectLogin, RequestOrigin origin, String detail,
            Long actorAuthAgeSeconds) {

        public Entry(AuditType type, String factor, String actor, String subjectLogin, RequestOrigin origin, String detail) {
            this(type, factor, actor, subjectLogin, origin, detail, null);
        }

        AuditEvent toEvent(Clock clock) {
            AuditEvent e = new AuditEvent();
            e.occurredAt = clock.instant();
            e.type = type.wireName();
            e.actor = actor;
            e.subjectLogin = subjectLogin;
            e.client = origin == null ? null : origin.client();
            e.sourceIp = origin == null ? null : origin.sourceIp();
            e.detail = detail;
            e.requestId = origin == null ? null : origin.requestId();
            e.actorAuthAgeSeconds = actorAuthAgeSeconds;
            return e;
        }
    }
}
