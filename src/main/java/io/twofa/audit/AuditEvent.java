package io.twofa.audit;

import java.time.Instant;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One row of the audit trail (SPEC §10). Never holds secrets, codes or tokens. */
@Entity
@Table(name = "audit_event")
public class AuditEvent {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public Instant occurredAt;
    public String type;
    /** Login of who acted (the user themself, an admin, or null for anonymous attempts). */
    public String actor;
    /** Login the event is about, as typed for failed logins. */
    public String subjectLogin;
    public String client;
    public String sourceIp;
    /** Non-secret context: factor used, reason given, fields changed. */
    public String detail;
    /** The X-Request-Id of the request that caused the event (null for events outside a request). */
    public String requestId;
    /** For admin actions: seconds since the actor's authentication ({@code auth_time}), as step-up judged it. */
    public Long actorAuthAgeSeconds;
}
