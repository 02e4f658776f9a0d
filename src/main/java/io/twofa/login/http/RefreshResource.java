package io.twofa.login.http;

import java.util.Map;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.smallrye.mutiny.Uni;
import io.twofa.error.Problems;
import io.twofa.error.Require;
import io.twofa.session.SessionService;
import io.twofa.web.Origins;
import io.vertx.core.http.HttpServerRequest;

/** Refresh and logout: the refresh token in the body is the credential (no bearer token). */
@Path("/api/v1/auth")
public class RefreshResource {

    /** The body of POST /api/v1/auth/refresh and /api/v1/auth/logout. */
    public record RefreshRequest(String refreshToken) {
    }

    private final SessionService service;

    RefreshResource(SessionService service) {
        this.service = service;
    }

    @POST
    @Path("refresh")
    @PermitAll
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<LoginResponse> refreshSession(RefreshRequest body, @Context HttpServerRequest request) {
        return service.refresh(Require.body(body).refreshToken(), Origins.of(request, null).sourceIp())
                .map(r -> LoginResponse.authenticated(r.tokens(), r.enrollmentDue(), Map.of()));
    }

    @POST
    @Path("logout")
    @PermitAll
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({ MediaType.APPLICATION_JSON, Problems.MEDIA_TYPE })
    public Uni<Response> logout(RefreshRequest body, @Context HttpServerRequest request) {
        return service.logout(Require.body(body).refreshToken(), Origins.of(request, null).sourceIp())
                .replaceWith(Response.noContent().build());
    }
}
