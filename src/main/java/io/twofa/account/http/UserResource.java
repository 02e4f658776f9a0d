package io.twofa.account.http;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.twofa.error.Problems;
import io.twofa.account.AccountFilter;
import io.twofa.account.AccountService;
import io.twofa.account.AccountState;
import io.twofa.account.AccountSummary;
import io.twofa.account.Role;
import io.twofa.error.ProblemException;
import io.twofa.error.Require;
import io.twofa.token.Caller;
import io.twofa.token.TokenPrincipal;
import io.twofa.web.Origins;
import io.twofa.web.Roles;
import io.vertx.core.http.HttpServerRequest;

/**
 * Account administration (admins only). Creating an admin, changing a role or state, resetting a second factor or a
 * password need step-up (403 {@code step-up-required} otherwise).
 */
@Path("/api/v1/users")
@RolesAllowed(Roles.ADMIN)
@Produces(MediaType.APPLICATION_JSON)
public class UserResource {

    static final Set<String> ROLES = Set.of("admin", "user", "client");
    static final Set<String> STATES = Set.of("active", "disabled");

    /** Body of POST /api/v1/users. */
    public record NewAccountRequest(String login, String password, String role) {
    }

    /** Body of PATCH /api/v1/users/{login}: the members present change. */
    public record AccountChangeRequest(String role, String status) {
    }

    /** Body of POST /api/v1/users/{login}/password. */
    public record TemporaryPasswordRequest(String password) {
    }

    /** One account of a listing. */
    public record AccountListItem(UUID id, String login, String role, String status, Instant createdAt, boolean enrolled,
            boolean passwordChangeRequired) {

        static AccountListItem of(AccountSummary s) {
            return new AccountListItem(s.id(), s.login(), s.role(), s.status(), s.createdAt(), s.enrolled(),
                    s.passwordChangeRequired());
        }
    }

    /** A page of accounts; {@code nextAfter} fetches the next page, null at the end. */
    public record AccountPage(List<AccountListItem> users, String nextAfter) {
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
        return accounts.create(body.login(), body.password(), role, admin, Origins.of(request, admin.client()))
                .chain(account -> accounts.statusOf(account.id))
                .map(status -> Response.status(Response.Status.CREATED).entity(AccountView.of(status)).build());
    }

    /** Lists accounts in login order, filtered; keyset paging with {@code after} (the last login of the previous page). */
    @GET
    public Uni<AccountPage> listUsers(@QueryParam("role") String role, @QueryParam("status") String status,
            @QueryParam("enrolled") String enrolled, @QueryParam("prefix") String prefix, @QueryParam("after") String after,
            @QueryParam("limit") @DefaultValue("50") String limitParam) {
        // parsed here, not by JAX-RS, which would answer a malformed value with 404
        int limit = limit(limitParam);
        AccountFilter filter = new AccountFilter(
                role == null ? null : Role.fromWire(Require.oneOf("role", role, ROLES)),
                status == null ? null : AccountState.fromWire(Require.oneOf("status", status, STATES)),
                enrolled == null ? null : Boolean.valueOf(Require.oneOf("enrolled", enrolled, Set.of("true", "false"))),
                prefix == null ? null : Require.text("prefix", prefix, 1, 128),
                after == null ? null : Require.text("after", after, 1, 128), limit);
        return accounts.list(filter).map(page -> new AccountPage(page.stream().map(AccountListItem::of).toList(),
                page.size() == limit ? page.get(page.size() - 1).login() : null));
    }

    private static int limit(String value) {
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 1 && n <= 200) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ProblemException.invalidInput("limit", "'limit' must be a whole number from 1 to 200.");
    }

    @GET
    @Path("{login}")
    public Uni<AccountView> getUser(@PathParam("login") String login) {
        return accounts.statusOf(login).map(AccountView::of);
    }

    /** Changes the role and/or the state ({@code active}, {@code disabled}); step-up. */
    @PATCH
    @Path("{login}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<AccountView> updateUser(@PathParam("login") String login, AccountChangeRequest body,
            @Context HttpServerRequest request) {
        Require.body(body);
        Role role = body.role() == null ? null : Role.fromWire(Require.oneOf("role", body.role(), ROLES));
        AccountState status = body.status() == null ? null : AccountState.fromWire(Require.oneOf("status", body.status(), STATES));
        TokenPrincipal admin = Caller.of(identity);
        return accounts.update(login, role, status, admin, Origins.of(request, admin.client()))
                .chain(account -> accounts.statusOf(account.id)).map(AccountView::of);
    }

    /** Sets a temporary password that must be changed at the next login; step-up. */
    @POST
    @Path("{login}/password")
    @Consumes(MediaType.APPLICATION_JSON)
    // 204 with no body: a client accepting only problem+json (for the errors) is served too
    @Produces({ MediaType.APPLICATION_JSON, Problems.MEDIA_TYPE })
    public Uni<Response> setTemporaryPassword(@PathParam("login") String login, TemporaryPasswordRequest body,
            @Context HttpServerRequest request) {
        Require.body(body);
        TokenPrincipal admin = Caller.of(identity);
        return accounts.setTemporaryPassword(login, body.password(), admin, Origins.of(request, admin.client()))
                .replaceWith(Response.noContent().build());
    }

    /** Lost phone: removes every second factor; step-up. */
    @DELETE
    @Path("{login}/second-factor")
    // 204 with no body: a client accepting only problem+json (for the errors) is served too
    @Produces({ MediaType.APPLICATION_JSON, Problems.MEDIA_TYPE })
    public Uni<Response> resetSecondFactor(@PathParam("login") String login, @Context HttpServerRequest request) {
        TokenPrincipal admin = Caller.of(identity);
        return accounts.resetSecondFactor(login, admin, Origins.of(request, admin.client()))
                .replaceWith(Response.noContent().build());
    }
}
