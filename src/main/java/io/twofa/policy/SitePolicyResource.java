package io.twofa.policy;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.twofa.audit.Origins;
import io.twofa.token.Caller;
import io.twofa.token.Roles;
import io.twofa.token.TokenPrincipal;
import io.vertx.core.http.HttpServerRequest;

@Path("/api/v1/site-policy")
@Produces(MediaType.APPLICATION_JSON)
public class SitePolicyResource {

    private final SitePolicyService service;
    private final SecurityIdentity identity;

    SitePolicyResource(SitePolicyService service, SecurityIdentity identity) {
        this.service = service;
        this.identity = identity;
    }

    @GET
    @RolesAllowed(Roles.ACCESS)
    public Uni<SitePolicyView> get() {
        return service.current().map(SitePolicyView::of);
    }

    @PUT
    @RolesAllowed(Roles.ADMIN)
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<SitePolicyView> put(ObjectNode body, @Context HttpServerRequest request) {
        TokenPrincipal caller = Caller.of(identity);
        return service.update(body, caller.login(), Origins.of(request, caller.client())).map(SitePolicyView::of);
    }
}
