package io.twofa.account.http;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.twofa.account.AccountService;
import io.twofa.error.Problems;
import io.twofa.token.Caller;
import io.twofa.token.TokenPrincipal;
import io.twofa.web.Origins;
import io.twofa.web.Roles;
import io.vertx.core.http.HttpServerRequest;

/** Admin relief for a login kept waiting by the password throttle (docs/throttling.md). */
@Path("/api/v1/users/{login}/password-throttle")
@RolesAllowed(Roles.ADMIN)
public class PasswordThrottleResource {

    private final AccountService accounts;
    private final SecurityIdentity identity;

    PasswordThrottleResource(AccountService accounts, SecurityIdentity identity) {
        this.accounts = accounts;
        this.identity = identity;
    }

    /** Step-up, as it weakens a defence. */
    @DELETE
    // 204 with no body: a client accepting only problem+json (for the errors) is served too
    @Produces({ MediaType.APPLICATION_JSON, Problems.MEDIA_TYPE })
    public Uni<Response> clearPasswordThrottle(@PathParam("login") String login, @Context HttpServerRequest request) {
        TokenPrincipal admin = Caller.of(identity);
        return accounts.clearPasswordThrottle(login, admin, Origins.of(request, admin.client()))
                .replaceWith(Response.noContent().build());
    }
}
