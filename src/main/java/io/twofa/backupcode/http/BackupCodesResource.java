package io.twofa.backupcode.http;

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
import io.twofa.backupcode.BackupCodeService;
import io.twofa.error.Require;
import io.twofa.token.Caller;
import io.twofa.token.TokenPrincipal;
import io.twofa.web.Origins;
import io.twofa.web.Roles;
import io.vertx.core.http.HttpServerRequest;

/** The caller's own backup codes: a new set (JSON, or a text file to save or print), and what remains. */
@Path("/api/v1/backup-codes")
@RolesAllowed(Roles.ACCESS)
public class BackupCodesResource {

    /** Body of POST /api/v1/backup-codes. */
    public record RegenerateBackupCodesRequest(String password) {
    }

    /** What is left of the current set. */
    public record BackupCodeStatusView(long remaining, java.time.Instant generatedAt) {
    }

    private final BackupCodeService service;
    private final SecurityIdentity identity;

    BackupCodesResource(BackupCodeService service, SecurityIdentity identity) {
        this.service = service;
        this.identity = identity;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> regenerateBackupCodes(RegenerateBackupCodesRequest body, @Context HttpServerRequest request) {
        return issue(body, request).map(set -> Response.status(Response.Status.CREATED).entity(BackupCodesView.of(set))
                .header("Cache-Control", "no-store").build());
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.TEXT_PLAIN)
    public Uni<Response> regenerateBackupCodesAsText(RegenerateBackupCodesRequest body, @Context HttpServerRequest request) {
        return issue(body, request).map(set -> Response.status(Response.Status.CREATED)
                .entity(BackupCodesText.of(set))
                .type(MediaType.TEXT_PLAIN_TYPE.withCharset("UTF-8"))
                .header("Content-Disposition", "attachment; filename=\"backup-codes.txt\"")
                .header("Cache-Control", "no-store").build());
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<BackupCodeStatusView> getBackupCodeStatus() {
        return service.remaining(Caller.of(identity).accountId())
                .map(r -> new BackupCodeStatusView(r.remaining(), r.generatedAt()));
    }

    private Uni<BackupCodeService.IssuedSet> issue(RegenerateBackupCodesRequest body, HttpServerRequest request) {
        TokenPrincipal caller = Caller.of(identity);
        return service.regenerate(caller.accountId(), Require.body(body).password(), caller.login(),
                Origins.of(request, caller.client()));
    }
}
