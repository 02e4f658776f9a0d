package io.twofa.audit.http;

import java.time.Instant;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import io.smallrye.mutiny.Uni;
import io.twofa.audit.AuditLog;
import io.twofa.error.ProblemException;
import io.twofa.web.Roles;

/** The audit trail for admins: newest first, filtered by login and type, paginated by {@code before}. */
@Path("/api/v1/audit-events")
@RolesAllowed(Roles.ADMIN)
public class AuditResource {

    /** One event as the API shows it. */
    public record AuditEventView(long id, Instant occurredAt, String type, String actor, String subjectLogin, String client,
            String sourceIp, String detail, String requestId, Long actorAuthAgeSeconds) {
    }

    /** A page; {@code nextBefore} fetches the next (older) page, null at the end. */
    public record AuditEventPage(List<AuditEventView> events, Long nextBefore) {
    }

    private final AuditLog audit;

    AuditResource(AuditLog audit) {
        this.audit = audit;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<AuditEventPage> listAuditEvents(@QueryParam("login") String login, @QueryParam("type") String type,
            @QueryParam("before") String beforeParam, @QueryParam("limit") @DefaultValue("50") String limitParam) {
        // parsed here, not by JAX-RS, which would answer a malformed number with 404
        int limit = parse("limit", limitParam, 1, 200).intValue();
        Long before = beforeParam == null ? null : parse("before", beforeParam, 1, Long.MAX_VALUE);
        return audit.newestFirst(login, type, before, limit).map(rows -> {
            List<AuditEventView> page = rows.stream().map(e -> new AuditEventView(e.id, e.occurredAt, e.type, e.actor,
                    e.subjectLogin, e.client, e.sourceIp, e.detail, e.requestId, e.actorAuthAgeSeconds)).toList();
            Long next = page.size() == limit ? page.get(page.size() - 1).id() : null;
            return new AuditEventPage(page, next);
        });
    }

    static Long parse(String field, String value, long min, long max) {
        try {
            long n = Long.parseLong(value.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through to the problem below
        }
        throw ProblemException.invalidInput(field, "'" + field + "' must be a whole number from " + min + " to " + max + ".");
    }
}
