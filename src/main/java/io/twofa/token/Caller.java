package io.twofa.token;

import io.quarkus.security.identity.SecurityIdentity;

/** The verified token behind a request. */
public final class Caller {

    private Caller() {
    }

    public static TokenPrincipal of(SecurityIdentity identity) {
        if (identity == null || !(identity.getPrincipal() instanceof TokenPrincipal principal)) {
            throw new io.quarkus.security.UnauthorizedException();
        }
        return principal;
    }
}
