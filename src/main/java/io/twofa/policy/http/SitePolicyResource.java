package io.twofa.policy.http;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Set;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.twofa.error.ProblemException;
import io.twofa.error.Require;
import io.twofa.policy.SitePolicyService;
import io.twofa.token.Caller;
import io.twofa.token.TokenPrincipal;
import io.twofa.web.Origins;
import io.twofa.web.Roles;
import io.vertx.core.http.HttpServerRequest;

@Path("/api/v1/site-policy")
@Produces(MediaType.APPLICATION_JSON)
public class SitePolicyResource {

    static final Set<String> FIELDS = Set.of("two_factor_required", "issuer", "access_token_lifetime_seconds",
            "backup_code_count", "enforce_from");

    private final SitePolicyService service;
    private final SecurityIdentity identity;

    SitePolicyResource(SitePolicyService service, SecurityIdentity identity) {
        this.service = service;
        this.identity = identity;
    }

    @GET
    @RolesAllowed(Roles.ACCESS)
    public Uni<SitePolicyView> getSitePolicy() {
        return service.current().map(SitePolicyView::of);
    }

    /**
     * Applies the fields present in the body; omitted fields keep their value, {@code "enforce_from": null} clears it.
     * The whole body is validated before anything changes. Switching two-factor off or moving {@code enforce_from} later
     * needs step-up (403 {@code step-up-required}).
     */
    @PUT
    @RolesAllowed(Roles.ADMIN)
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<SitePolicyView> updateSitePolicy(ObjectNode body, @Context HttpServerRequest request) {
        TokenPrincipal caller = Caller.of(identity);
        return service.update(changes(body), caller, Origins.of(request, caller.client())).map(SitePolicyView::of);
    }

    static SitePolicyService.Changes changes(ObjectNode body) {
        Require.body(body);
        for (Iterator<String> names = body.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw ProblemException.invalidInput(name, "Unknown field '" + name + "'.");
            }
        }
        Boolean required = null;
        if (body.has("two_factor_required")) {
            JsonNode n = body.get("two_factor_required");
            if (!n.isBoolean()) {
                throw ProblemException.invalidInput("two_factor_required", "'two_factor_required' must be true or false.");
            }
            required = n.booleanValue();
        }
        String issuer = null;
        if (body.has("issuer")) {
            JsonNode n = body.get("issuer");
            if (!n.isTextual()) {
                throw ProblemException.invalidInput("issuer", "'issuer' must be a string.");
            }
            issuer = Require.text("issuer", n.textValue(), 1, 128);
            if (issuer.contains(":") || issuer.isBlank()) {
                // authenticator apps split the label at the colon
                throw ProblemException.invalidInput("issuer", "'issuer' must not be blank or contain ':'.");
            }
        }
        Integer lifetime = body.has("access_token_lifetime_seconds")
                ? Require.range("access_token_lifetime_seconds", intValue(body.get("access_token_lifetime_seconds")), 60, 3600)
                : null;
        Integer count = body.has("backup_code_count")
                ? Require.range("backup_code_count", intValue(body.get("backup_code_count")), 5, 20)
                : null;
        Instant enforceFrom = null;
        boolean enforcePresent = body.has("enforce_from");
        if (enforcePresent && !body.get("enforce_from").isNull()) {
            JsonNode n = body.get("enforce_from");
            try {
                enforceFrom = n.isTextual() ? Instant.parse(n.textValue()) : null;
            } catch (DateTimeParseException e) {
                enforceFrom = null;
            }
            if (enforceFrom == null) {
                throw ProblemException.invalidInput("enforce_from",
                        "'enforce_from' must be null or a UTC timestamp such as 2026-12-01T09:00:00Z.");
            }
        }
        return new SitePolicyService.Changes(required, issuer, lifetime, count, enforcePresent, enforceFrom);
    }

    private static Integer intValue(JsonNode n) {
        return n != null && n.isIntegralNumber() && n.canConvertToInt() ? n.intValue() : null;
    }
}
