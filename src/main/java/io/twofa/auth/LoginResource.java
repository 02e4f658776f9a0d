package io.twofa.auth;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

import io.smallrye.mutiny.Uni;
import io.twofa.audit.Origins;
import io.twofa.operations.EventMetrics;
import io.vertx.core.http.HttpServerRequest;

@Path("/api/v1/auth/login")
public class LoginResource {

    private final LoginService service;
    private final EventMetrics metrics;

    LoginResource(LoginService service, EventMetrics metrics) {
        this.service = service;
        this.metrics = metrics;
    }

    @POST
    @PermitAll
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<LoginResponse> login(LoginService.LoginRequest body, @Context HttpServerRequest request) {
        return metrics.timeLogin(() -> service.login(body, Origins.of(request, null)));
    }
}
