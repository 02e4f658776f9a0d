package io.twofa.session.http;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.twofa.error.Problems;
import io.twofa.session.SessionService;
import io.twofa.web.Origins;
import io.twofa.token.Caller;
import io.twofa.web.Roles;
import io.twofa.token.TokenPrincipal;
import io.vertx.core.http.HttpServerRequest;

/** The caller's own desktop sessions (refresh-token families). */
@Path("/api/v1/me/sessions")
@RolesAllowed(Roles.ACCESS)
@Produces(MediaType.APPLICATION_JSON)
public class MySessionsResource {

    private final SessionService service;
    private final SecurityIdentity identity;

    MySessionsResource(SessionService service, SecurityIdentity identity) {
        this.service = service;
        this.identity = identity;
    }

    @GET
    public Uni<SessionList> listOwnSessions() {
        return service.sessionsOf(Caller.of(identity).accountId()).map(SessionList::of);
    }

    @DELETE
    @Path("{id}")
    // 204 with no body: a client accepting only problem+json (for the errors) is served too
    @Produces({ MediaType.APPLICATION_JSON, Problems.MEDIA_TYPE })
    public Uni<Response> revokeOwnSession(@PathParam("id") String id, @Context HttpServerRequest request) {
        TokenPrincipal caller = Caller.of(identity);
        return service.revokeOwn(caller.accountId(), id, Origins.of(request, caller.client()))
                .replaceWith(Response.noContent().build());
    }
}
