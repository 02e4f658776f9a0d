package io.twofa.session;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.smallrye.mutiny.Uni;
import io.twofa.audit.Origins;
import io.twofa.auth.LoginResponse;
import io.vertx.core.http.HttpServerRequest;

/** Refresh and logout: the refresh token in the body is the credential (no bearer token). */
@Path("/api/v1/auth")
public class RefreshResource {

    private final SessionService service;

    RefreshResource(SessionService service) {
        this.service = service;
    }

    @POST
    @Path("refresh")
    @PermitAll
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<LoginResponse> refresh(SessionService.RefreshRequest body, @Context HttpServerRequest request) {
        return service.refresh(body, Origins.of(request, null).sourceIp());
    }

    @POST
    @Path("logout")
    @PermitAll
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> logout(SessionService.RefreshRequest body, @Context HttpServerRequest request) {
        return service.logout(body, Origins.of(request, null).sourceIp()).replaceWith(Response.noContent().build());
    }
}
