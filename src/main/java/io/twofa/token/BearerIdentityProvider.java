package io.twofa.token;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.twofa.web.Roles;

/**
 * Turns a verified token into a security identity (see {@link TokenService#verify}); a challenge token gets the single role {@link Roles#CHALLENGE}, so it can
 * never pass for an access token.
 */
@ApplicationScoped
public class BearerIdentityProvider implements IdentityProvider<BearerTokenRequest> {

    private final TokenService tokens;

    BearerIdentityProvider(TokenService tokens) {
        this.tokens = tokens;
    }

    @Override
    public Class<BearerTokenRequest> getRequestType() {
        return BearerTokenRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(BearerTokenRequest request, AuthenticationRequestContext context) {
        try {
            TokenPrincipal principal = tokens.verify(request.token());
            QuarkusSecurityIdentity.Builder identity = QuarkusSecurityIdentity.builder().setPrincipal(principal);
            if (principal.isChallenge()) {
                identity.addRole(Roles.CHALLENGE);
            } else {
                identity.addRole(Roles.ACCESS).addRole(principal.role());
            }
            return Uni.createFrom().item(identity.build());
        } catch (TokenService.InvalidTokenException e) {
            return Uni.createFrom().failure(new AuthenticationFailedException("invalid token", Map.of()));
        }
    }
}
