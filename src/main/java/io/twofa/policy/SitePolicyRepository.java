package io.twofa.policy;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import io.twofa.database.Sql;

@ApplicationScoped
public class SitePolicyRepository implements PanacheRepositoryBase<SitePolicy, Short> {

    /** The access-token lifetime (column {@code policy_access_lifetime}) as a query, for a composed statement. */
    static Sql accessLifetime() {
        return Sql.of("select access_token_lifetime_seconds as policy_access_lifetime from site_policy where id = 1");
    }

    /** The row always exists (created by the first migration). */
    public Uni<SitePolicy> current() {
        return findById(SitePolicy.ID);
    }
}
