package io.twofa.token;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** A bearer token waiting to be verified. */
public class BearerTokenRequest extends BaseAuthenticationRequest {

    private final String token;

    public BearerTokenRequest(String token) {
        this.token = token;
    }

    public String token() {
        return token;
    }
}
