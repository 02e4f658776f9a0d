package io.twofa.enrollment;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.twofa.audit.Origins;
import io.twofa.error.Require;
import io.twofa.token.Caller;
import io.twofa.token.Roles;
import io.twofa.token.TokenPrincipal;
import io.vertx.core.http.HttpServerRequest;

/** Enrolment accepts a challenge token (login flow) or an access token (new phone). */
@Path("/api/v1/enrollment")
@RolesAllowed({ Roles.CHALLENGE, Roles.ACCESS })
public class EnrollmentResource {

    /** Body of POST /api/v1/enrollment: the password, required with an access token. */
    public record StartRequest(String password) {
    }

    /** Body of POST /api/v1/enrollment/confirm. */
    public record ConfirmRequest(String code) {
    }

    private final EnrollmentService service;
    private final SecurityIdentity identity;

    EnrollmentResource(EnrollmentService service, SecurityIdentity identity) {
        this.service = service;
        this.identity = identity;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> start(StartRequest body, @Context HttpServerRequest request) {
        TokenPrincipal caller = Caller.of(identity);
        return service.start(caller, body == null ? null : body.password(), Origins.of(request, caller.client()))
                .map(started -> Response.status(Response.Status.CREATED).entity(started)
                        .header("Cache-Control", "no-store").build());
    }

    @GET
    @Path("qr.png")
    @Produces("image/png")
    public Uni<Response> qr() {
        return service.qrPng(Caller.of(identity))
                .map(png -> Response.ok(png, "image/png").header("Cache-Control", "no-store").build());
    }

    @POST
    @Path("confirm")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> confirm(ConfirmRequest body, @Context HttpServerRequest request) {
        TokenPrincipal caller = Caller.of(identity);
        return service.confirm(caller, Require.body(body).code(), Origins.of(request, caller.client()))
                .map(confirmed -> Response.ok(confirmed).header("Cache-Control", "no-store").build());
    }
}
