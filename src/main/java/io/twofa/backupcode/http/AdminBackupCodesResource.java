package io.twofa.backupcode.http;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.twofa.backupcode.BackupCodeService;
import io.twofa.error.Require;
import io.twofa.token.Caller;
import io.twofa.token.TokenPrincipal;
import io.twofa.web.Origins;
import io.twofa.web.Roles;
import io.vertx.core.http.HttpServerRequest;

/** Backup codes issued by an admin for a user who lost phone and codes (step-up: 403 {@code step-up-required} otherwise). */
@Path("/api/v1/users/{login}/backup-codes")
@RolesAllowed(Roles.ADMIN)
public class AdminBackupCodesResource {

    /** Body of POST /api/v1/users/{login}/backup-codes. */
    public record AdminBackupCodesRequest(String reason) {
    }

    private final BackupCodeService service;
    private final SecurityIdentity identity;

    AdminBackupCodesResource(BackupCodeService service, SecurityIdentity identity) {
        this.service = service;
        this.identity = identity;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> issueBackupCodes(@PathParam("login") String login, AdminBackupCodesRequest body,
            @Context HttpServerRequest request) {
        TokenPrincipal admin = Caller.of(identity);
        return service.issueByAdmin(login, Require.body(body).reason(), admin, Origins.of(request, admin.client()))
                .map(set -> Response.status(Response.Status.CREATED).entity(BackupCodesView.of(set))
                        .header("Cache-Control", "no-store").build());
    }
}
