package io.twofa.token;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * Turns a verified token into a security identity. The kind is read from the {@code typ} header and then
 * verified strictly for that kind; a challenge token gets the single role {@link Roles#CHALLENGE}, so it can
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
            TokenKind kind = TokenKind.CHALLENGE.type().equals(headerType(request.token())) ? TokenKind.CHALLENGE : TokenKind.ACCESS;
            TokenPrincipal principal = tokens.verify(request.token(), kind);
            QuarkusSecurityIdentity.Builder identity = QuarkusSecurityIdentity.builder().setPrincipal(principal);
            if (kind == TokenKind.CHALLENGE) {
                identity.addRole(Roles.CHALLENGE);
            } else {
                identity.addRole(Roles.ACCESS).addRole(principal.role());
            }
            return Uni.createFrom().item(identity.build());
        } catch (TokenService.InvalidTokenException e) {
            return Uni.createFrom().failure(new AuthenticationFailedException("invalid token", Map.of()));
        }
    }

    /** The unverified {@code typ} header, used only to pick which strict check applies. */
    private static String headerType(String jwt) {
        int dot = jwt.indexOf('.');
        if (dot <= 0) {
            return null;
        }
        try {
            String header = new String(java.util.Base64.getUrlDecoder().decode(jwt.substring(0, dot)),
                    java.nio.charset.StandardCharsets.UTF_8);
            return header.contains("\"" + TokenKind.CHALLENGE.type() + "\"") ? TokenKind.CHALLENGE.type() : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
