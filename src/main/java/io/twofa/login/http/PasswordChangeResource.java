package io.twofa.login.http;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.twofa.account.AccountService;
import io.twofa.error.Require;
import io.twofa.login.TemporaryPasswordLogin;
import io.twofa.token.Caller;
import io.twofa.token.TokenPrincipal;
import io.twofa.web.Origins;
import io.twofa.web.Roles;
import io.vertx.core.http.HttpServerRequest;

/**
 * PUT /api/v1/me/password: with an access token, a password change (204; every session ends); with the challenge of a
 * {@code password_change_required} login, the end of a temporary password and the next step of that login (200).
 */
@Path("/api/v1/me/password")
public class PasswordChangeResource {

    /** The body of PUT /api/v1/me/password. */
    public record PasswordChangeRequest(String currentPassword, String newPassword) {
    }

    private final AccountService accounts;
    private final TemporaryPasswordLogin temporary;
    private final SecurityIdentity identity;

    PasswordChangeResource(AccountService accounts, TemporaryPasswordLogin temporary, SecurityIdentity identity) {
        this.accounts = accounts;
        this.temporary = temporary;
        this.identity = identity;
    }

    @PUT
    @RolesAllowed({ Roles.ACCESS, Roles.CHALLENGE })
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> changePassword(PasswordChangeRequest body, @Context HttpServerRequest request) {
        Require.body(body);
        TokenPrincipal caller = Caller.of(identity);
        if (caller.isChallenge()) {
            return temporary.changeAndContinue(caller, body.currentPassword(), body.newPassword(),
                    Origins.of(request, caller.client())).map(result -> Response.ok(LoginResponse.of(result)).build());
        }
        return accounts.changePassword(caller.accountId(), body.currentPassword(), body.newPassword(),
                Origins.of(request, caller.client())).replaceWith(Response.noContent().build());
    }
}
