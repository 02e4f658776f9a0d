package io.twofa.token.http;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;

import io.twofa.token.SigningKeys;

/** Public keys for clients that verify access tokens (SPEC §3). */
@Path("/.well-known/jwks.json")
@PermitAll
public class JwksResource {

    private final SigningKeys keys;

    JwksResource(SigningKeys keys) {
        this.keys = keys;
    }

    @GET
    @Produces({ "application/jwk-set+json", "application/json" })
    public Response getJwks() {
        return Response.ok(keys.jwksJson()).header("Cache-Control", "public, max-age=300").build();
    }
}
