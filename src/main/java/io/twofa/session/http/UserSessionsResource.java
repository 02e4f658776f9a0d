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

/** An account's desktop sessions, for admins. */
@Path("/api/v1/users/{login}/sessions")
@RolesAllowed(Roles.ADMIN)
@Produces(MediaType.APPLICATION_JSON)
public class UserSessionsResource {

    private final SessionService service;
    private final SecurityIdentity identity;

    UserSessionsResource(SessionService service, SecurityIdentity identity) {
        this.service = service;
        this.identity = identity;
    }

    @GET
    public Uni<SessionList> listUserSessions(@PathParam("login") String login) {
        return service.sessionsOf(login).map(SessionList::of);
    }

    @DELETE
    @Path("{id}")
    // 204 with no body: a client accepting only problem+json (for the errors) is served too
    @Produces({ MediaType.APPLICATION_JSON, Problems.MEDIA_TYPE })
    public Uni<Response> revokeUserSession(@PathParam("login") String login, @PathParam("id") String id,
            @Context HttpServerRequest request) {
        TokenPrincipal admin = Caller.of(identity);
        return service.revokeByAdmin(login, id, admin.login(), Origins.of(request, admin.client()))
                .replaceWith(Response.noContent().build());
    }
}
