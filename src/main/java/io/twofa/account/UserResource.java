package io.twofa.account;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.twofa.audit.Origins;
import io.twofa.audit.RequestOrigin;
import io.twofa.backupcodes.BackupCodeService;
import io.twofa.enrollment.EnrollmentService;
import io.twofa.error.Require;
import io.twofa.token.Caller;
import io.twofa.token.Roles;
import io.twofa.token.TokenPrincipal;
import io.vertx.core.http.HttpServerRequest;

/** Account administration (admins only). */
@Path("/api/v1/users")
@RolesAllowed(Roles.ADMIN)
@Produces(MediaType.APPLICATION_JSON)
public class UserResource {

    /** Body of POST /api/v1/users/{login}/backup-codes. */
    public record AdminBackupCodesRequest(String reason) {
    }

    private final AccountService accounts;
    private final EnrollmentService enrollment;
    private final BackupCodeService backupCodes;
    private final SecurityIdentity identity;

    UserResource(AccountService accounts, EnrollmentService enrollment, BackupCodeService backupCodes, SecurityIdentity identity) {
        this.accounts = accounts;
        this.enrollment = enrollment;
        this.backupCodes = backupCodes;
        this.identity = identity;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> create(AccountService.NewAccount body, @Context HttpServerRequest request) {
        TokenPrincipal admin = Caller.of(identity);
        return accounts.create(body, admin.login(), origin(request, admin))
                .chain(account -> accounts.statusOf(account.id))
                .map(status -> Response.status(Response.Status.CREATED).entity(status).build());
    }

    @GET
    @Path("{login}")
    public Uni<AccountStatus> get(@PathParam("login") String login) {
        return accounts.statusOf(login);
    }

    @DELETE
    @Path("{login}/second-factor")
    public Uni<Response> resetSecondFactor(@PathParam("login") String login, @Context HttpServerRequest request) {
        TokenPrincipal admin = Caller.of(identity);
        return enrollment.reset(login, admin.login(), origin(request, admin)).replaceWith(Response.noContent().build());
    }

    @POST
    @Path("{login}/backup-codes")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> issueBackupCodes(@PathParam("login") String login, AdminBackupCodesRequest body,
            @Context HttpServerRequest request) {
        TokenPrincipal admin = Caller.of(identity);
        return backupCodes.issueByAdmin(login, Require.body(body).reason(), admin.login(), origin(request, admin))
                .map(set -> Response.status(Response.Status.CREATED).entity(BackupCodesView.of(set))
                        .header("Cache-Control", "no-store").build());
    }

    private static RequestOrigin origin(HttpServerRequest request, TokenPrincipal caller) {
        return Origins.of(request, caller.client());
    }
}
