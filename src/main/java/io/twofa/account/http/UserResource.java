package io.twofa.account.http;

import java.util.Set;

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
import io.twofa.account.AccountService;
import io.twofa.account.Role;
import io.twofa.error.Require;
import io.twofa.token.Caller;
import io.twofa.token.TokenPrincipal;
import io.twofa.web.Origins;
import io.twofa.web.Roles;
import io.vertx.core.http.HttpServerRequest;

/** Account administration (admins only). */
@Path("/api/v1/users")
@RolesAllowed(Roles.ADMIN)
@Produces(MediaType.APPLICATION_JSON)
public class UserResource {

    static final Set<String> ROLES = Set.of("admin", "user", "client");

    /** Body of POST /api/v1/users. */
    public record NewAccountRequest(String login, String password, String role) {
    }

    private final AccountService accounts;
    private final SecurityIdentity identity;

    UserResource(AccountService accounts, SecurityIdentity identity) {
        this.accounts = accounts;
        this.identity = identity;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> createUser(NewAccountRequest body, @Context HttpServerRequest request) {
        Require.body(body);
        Role role = Role.fromWire(Require.oneOf("role", body.role(), ROLES));
        TokenPrincipal admin = Caller.of(identity);
        return accounts.create(body.login(), body.password(), role, admin.login(), Origins.of(request, admin.client()))
                .chain(account -> accounts.statusOf(account.id))
                .map(status -> Response.status(Response.Status.CREATED).entity(AccountView.of(status)).build());
    }

    @GET
    @Path("{login}")
    public Uni<AccountView> getUser(@PathParam("login") String login) {
        return accounts.statusOf(login).map(AccountView::of);
    }

    @DELETE
    @Path("{login}/second-factor")
    public Uni<Response> resetSecondFactor(@PathParam("login") String login, @Context HttpServerRequest request) {
        TokenPrincipal admin = Caller.of(identity);
        return accounts.resetSecondFactor(login, admin.login(), Origins.of(request, admin.client()))
                .replaceWith(Response.noContent().build());
    }
}
