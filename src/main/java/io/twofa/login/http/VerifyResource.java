package io.twofa.login.http;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
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
import io.twofa.factor.SecondFactors;
import io.twofa.login.VerificationService;
import io.twofa.token.Caller;
import io.twofa.token.TokenPrincipal;
import io.twofa.web.Origins;
import io.twofa.web.Roles;
import io.twofa.web.Timed;
import io.vertx.core.http.HttpServerRequest;

@Path("/api/v1/auth/verify")
public class VerifyResource {

    private final VerificationService service;
    private final SecondFactors factors;
    private final SecurityIdentity identity;

    VerifyResource(VerificationService service, SecondFactors factors, SecurityIdentity identity) {
        this.service = service;
        this.factors = factors;
        this.identity = identity;
    }

    /** The body names the factor by its member ({@code code}, {@code backup_code}, ...: one per factor present). */
    @POST
    // access tokens are let in only to be refused with 401 below (wrong kind of token, not a permission matter)
    @RolesAllowed({ Roles.CHALLENGE, Roles.ACCESS })
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Timed(value = "twofa.verify", description = "Time of POST /api/v1/auth/verify")
    public Uni<LoginResponse> verifySecondFactor(ObjectNode body, @Context HttpServerRequest request) {
        TokenPrincipal caller = Caller.of(identity);
        if (!caller.isChallenge()) {
            throw new io.quarkus.security.UnauthorizedException();
        }
        return service.verify(caller, inputs(body), Origins.of(request, caller.client())).map(LoginResponse::of);
    }

    /** The members that are not null, all strings, each the input of a factor present. */
    private Map<String, String> inputs(ObjectNode body) {
        Require.body(body);
        Map<String, String> inputs = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> member = it.next();
            if (factors.byInputField(member.getKey()).isEmpty()) {
                throw ProblemException.invalidInput(member.getKey(), "Unknown field '" + member.getKey() + "'.");
            }
            if (member.getValue().isNull()) {
                continue;
            }
            if (!member.getValue().isTextual()) {
                throw ProblemException.invalidInput(member.getKey(), "Field '" + member.getKey() + "' has the wrong type or format.");
            }
            inputs.put(member.getKey(), member.getValue().textValue());
        }
        return inputs;
    }
}
