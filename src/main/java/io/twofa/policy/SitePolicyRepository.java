package io.twofa.policy;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
public class SitePolicyRepository implements PanacheRepositoryBase<SitePolicy, Short> {

    /** The row always exists (created by the first migration). */
    public Uni<SitePolicy> current() {
        return findById(SitePolicy.ID);
    }
}
