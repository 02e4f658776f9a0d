package io.twofa.audit;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import io.smallrye.mutiny.Uni;
import io.twofa.database.Sql;

@ApplicationScoped
public class AuditRepository implements PanacheRepositoryBase<AuditEvent, Long> {

    /** Newest first, keyset-paginated by id so deep pages stay as cheap as the first. */
    public Uni<List<AuditEvent>> findNewestFirst(String login, String type, Long beforeId, int limit) {
        StringBuilder q = new StringBuilder("1 = 1");
        Parameters params = new Parameters();
        if (login != null) {
            q.append(" and lower(subjectLogin) = :login");
            params.and("login", login.toLowerCase(java.util.Locale.ROOT));
        }
        if (type != null) {
            q.append(" and type = :type");
            params.and("type", type);
        }
        if (beforeId != null) {
            q.append(" and id < :before");
            params.and("before", beforeId);
        }
        q.append(" order by id desc");
        return find(q.toString(), params).page(0, limit).list();
    }

    /**
     * The row as a piece of a composed statement. With a {@code gate} (a common table expression of that statement),
     * it is written only if the gate returned a row ({@code ifPresent}) or only if it returned none; parameters are
     * named {@code audit_<key>_...}, so one statement can write several rows.
     */
    static Sql insert(String key, String gate, boolean ifPresent, AuditEvent e) {
        String p = "audit_" + key + "_";
        String where = gate == null ? "" : " where " + (ifPresent ? "" : "not ") + "exists (select 1 from " + gate + ")";
        return Sql.of("insert into audit_event (occurred_at, type, actor, subject_login, client, source_ip, detail, request_id) "
                + "select :" + p + "at, :" + p + "type, :" + p + "actor::varchar, :" + p + "subject::varchar, :" + p
                + "client::varchar, :" + p + "ip::varchar, :" + p + "detail::varchar, :" + p + "request::varchar" + where,
                p + "at", e.occurredAt, p + "type", e.type, p + "actor", e.actor, p + "subject", e.subjectLogin,
                p + "client", e.client, p + "ip", e.sourceIp, p + "detail", e.detail, p + "request", e.requestId);
    }
}
