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
import io.twofa.login.StepUpService;
import io.twofa.token.Caller;
import io.twofa.token.TokenPrincipal;
import io.twofa.web.Origins;
import io.twofa.web.Roles;
import io.vertx.core.http.HttpServerRequest;

/** Re-authentication of a signed-in user: the access token, the password and a factor's input give a fresh access token. */
@Path("/api/v1/auth/step-up")
public class StepUpResource {

    private final StepUpService service;
    private final SecondFactors factors;
    private final SecurityIdentity identity;

    StepUpResource(StepUpService service, SecondFactors factors, SecurityIdentity identity) {
        this.service = service;
        this.factors = factors;
        this.identity = identity;
    }

    /** Body: {@code password} and at most one factor member ({@code code}, {@code backup_code}, ...). */
    @POST
    @RolesAllowed(Roles.ACCESS)
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<LoginResponse> stepUp(ObjectNode body, @Context HttpServerRequest request) {
        TokenPrincipal caller = Caller.of(identity);
        Require.body(body);
        String password = null;
        Map<String, String> inputs = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> member = it.next();
            String name = member.getKey();
            boolean isPassword = "password".equals(name);
            if (!isPassword && factors.byInputField(name).isEmpty()) {
                throw ProblemException.invalidInput(name, "Unknown field '" + name + "'.");
            }
            if (member.getValue().isNull()) {
                continue;
            }
            if (!member.getValue().isTextual()) {
                throw ProblemException.invalidInput(name, "Field '" + name + "' has the wrong type or format.");
            }
            if (isPassword) {
                password = member.getValue().textValue();
            } else {
                inputs.put(name, member.getValue().textValue());
            }
        }
        return service.stepUp(caller, password, inputs, Origins.of(request, caller.client())).map(LoginResponse::of);
    }
}
