package io.twofa.verification;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.twofa.audit.Origins;
import io.twofa.auth.LoginResponse;
import io.twofa.operations.EventMetrics;
import io.twofa.token.Caller;
import io.twofa.token.Roles;
import io.twofa.token.TokenPrincipal;
import io.vertx.core.http.HttpServerRequest;

@Path("/api/v1/auth/verify")
public class VerifyResource {

    private final VerificationService service;
    private final SecurityIdentity identity;
    private final EventMetrics metrics;

    VerifyResource(VerificationService service, SecurityIdentity identity, EventMetrics metrics) {
        this.service = service;
        this.identity = identity;
        this.metrics = metrics;
    }

    @POST
    // access tokens are let in only to be refused with 401 below (wrong kind of token, not a permission matter)
    @RolesAllowed({ Roles.CHALLENGE, Roles.ACCESS })
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<LoginResponse> verify(VerificationService.VerifyRequest body, @Context HttpServerRequest request) {
        return metrics.timeVerify(() -> {
            TokenPrincipal caller = Caller.of(identity);
            if (!caller.isChallenge()) {
                throw new io.quarkus.security.UnauthorizedException();
            }
            return service.verify(caller, body, Origins.of(request, caller.client()));
        });
    }
}
