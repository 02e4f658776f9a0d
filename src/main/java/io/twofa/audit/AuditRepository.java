package io.twofa.audit;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import io.smallrye.mutiny.Uni;

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
}
