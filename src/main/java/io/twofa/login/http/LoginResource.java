package io.twofa.login.http;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

import io.smallrye.mutiny.Uni;
import io.twofa.error.Require;
import io.twofa.login.LoginService;
import io.twofa.web.Origins;
import io.twofa.web.Timed;
import io.vertx.core.http.HttpServerRequest;

@Path("/api/v1/auth/login")
public class LoginResource {

    /** The body of POST /api/v1/auth/login. */
    public record LoginRequest(String login, String password, String client) {
    }

    private final LoginService service;

    LoginResource(LoginService service) {
        this.service = service;
    }

    @POST
    @PermitAll
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Timed(value = "twofa.login", description = "Time of POST /api/v1/auth/login")
    public Uni<LoginResponse> login(LoginRequest body, @Context HttpServerRequest request) {
        Require.body(body);
        // a client that hung up (e.g. its timeout fired) is not worth a password hash
        return service.login(body.login(), body.password(), body.client(), Origins.of(request, null),
                () -> request.response().closed() || request.response().ended()).map(LoginResponse::of);
    }
}
