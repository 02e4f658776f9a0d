package io.twofa.account.http;

import java.time.Instant;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.twofa.account.AccountService;
import io.twofa.token.Caller;
import io.twofa.token.TokenPrincipal;
import io.twofa.web.Roles;

/** The caller's own account and session (PUT /api/v1/me/password: login.http.PasswordChangeResource). */
@Path("/api/v1/me")
public class MeResource {

    /** The account's status plus what the presented token proves. */
    public record MeView(AccountView account, List<String> amr, String client, Instant authTime, Instant tokenExpiresAt) {
    }

    private final AccountService accounts;
    private final SecurityIdentity identity;

    MeResource(AccountService accounts, SecurityIdentity identity) {
        this.accounts = accounts;
        this.identity = identity;
    }

    @GET
    @RolesAllowed(Roles.ACCESS)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<MeView> getMe() {
        TokenPrincipal caller = Caller.of(identity);
        return accounts.statusOf(caller.accountId())
                .map(status -> new MeView(AccountView.of(status), caller.amr(), caller.client(), caller.authTime(),
                        caller.expiresAt()));
    }
}
