package io.twofa.session;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.twofa.config.TwofaConfig;
import io.twofa.token.Clients;
import io.twofa.token.IssuedTokens;
import io.twofa.token.TokenService;

/**
 * The one place that ends a login: issues the access token and, for the client kinds configured in
 * {@code twofa.refresh.clients}, the first refresh token of a new family. Used by the password step, the second
 * factor and enrolment alike; joins the caller's transaction, so the family exists exactly when the login does.
 * Created at start-up, so a wrong {@code twofa.refresh.*} setting stops the service at once.
 */
@ApplicationScoped
@Startup
public class LoginTokens {

    private final TokenService tokens;
    private final RefreshFamilyRepository families;
    private final RefreshTokenRepository refreshTokens;
    private final Clock clock;
    private final Set<String> refreshClients;
    private final Duration idle;
    private final Duration absolute;
    private final Duration grace;

    LoginTokens(TokenService tokens, RefreshFamilyRepository families, RefreshTokenRepository refreshTokens, TwofaConfig config,
            Clock clock) {
        this.tokens = tokens;
        this.families = families;
        this.refreshTokens = refreshTokens;
        this.clock = clock;
        this.refreshClients = Set.copyOf(config.refresh().clients());
        this.idle = config.refresh().idleLifetime();
        this.absolute = config.refresh().absoluteLifetime();
        this.grace = config.refresh().gracePeriod();
        for (String client : refreshClients) {
            if (!Clients.ALL.contains(client)) {
                throw new IllegalStateException("twofa.refresh.clients (TWOFA_REFRESH_CLIENTS): unknown client kind '" + client
                        + "'; known: " + String.join(", ", Clients.ALL.stream().sorted().toList()));
            }
        }
        if (idle.isNegative() || idle.isZero() || absolute.compareTo(idle) < 0) {
            throw new IllegalStateException("twofa.refresh.idle-lifetime must be positive and at most twofa.refresh.absolute-lifetime");
        }
        // a long grace would let a stolen spent token buy the live one for long; 5 minutes is plenty for a race
        if (grace.isNegative() || grace.compareTo(MAX_GRACE) > 0 || grace.compareTo(idle) >= 0) {
            throw new IllegalStateException("twofa.refresh.grace-period (TWOFA_REFRESH_GRACE_PERIOD) must be from 0 to "
                    + MAX_GRACE.toSeconds() + " seconds and shorter than twofa.refresh.idle-lifetime");
        }
    }

    private static final Duration MAX_GRACE = Duration.ofMinutes(5);

    /** The refresh settings as clients may know them (discovery). */
    public record Settings(List<String> clients, Duration idleLifetime, Duration absoluteLifetime, Duration gracePeriod) {
    }

    public Settings settings() {
        return new Settings(refreshClients.stream().sorted().toList(), idle, absolute, grace);
    }

    /** How long after its rotation a refresh token still gets the same successor; zero: never. */
    Duration gracePeriod() {
        return grace;
    }

    public boolean refreshFor(String client) {
        return refreshClients.contains(client);
    }

    /** Access token, plus a new refresh-token family when the client gets one. Joins the caller's transaction. */
    public Uni<IssuedTokens> issue(TokenService.Login login, int accessLifetimeSeconds) {
        TokenService.Issued access = tokens.issueAccess(login, accessLifetimeSeconds);
        if (!refreshFor(login.client())) {
            return Uni.createFrom().item(new IssuedTokens(access.token(), access.expiresIn(), null, null));
        }
        Instant now = clock.instant();
        RefreshFamily family = new RefreshFamily();
        family.id = UUID.randomUUID();
        family.accountId = login.accountId();
        family.client = login.client();
        family.amr = String.join(" ", login.amr());
        family.factor = login.factor();
        family.authTime = login.authTime();
        family.createdAt = now;
        family.lastUsedAt = now;
        family.absoluteExpiry = login.authTime().plus(absolute);
        return families.persist(family)
                .chain(() -> addToken(family, now, RefreshTokenValue.generate()))
                .map(refresh -> new IssuedTokens(access.token(), access.expiresIn(), refresh.value(), refresh.expiresIn()));
    }

    /** A fresh token value and its expiry in seconds; the value exists only in the answer to the client. */
    record NewRefresh(String value, long expiresIn) {
    }

    /**
     * Adds {@code value} as the family's next token: idle expiry from now, never past the family's absolute expiry.
     * The first token of a family is random, later ones are derived from their predecessor ({@link RefreshSuccessor}).
     */
    Uni<NewRefresh> addToken(RefreshFamily family, Instant now, String value) {
        Instant idleExpiry = now.plus(idle);
        RefreshToken token = new RefreshToken();
        token.id = UUID.randomUUID();
        token.familyId = family.id;
        token.tokenHash = RefreshTokenValue.hashOfNew(value);
        token.createdAt = now;
        token.expiresAt = idleExpiry.isBefore(family.absoluteExpiry) ? idleExpiry : family.absoluteExpiry;
        return refreshTokens.persist(token)
                .map(ignored -> new NewRefresh(value, Math.max(0, Duration.between(now, token.expiresAt).toSeconds())));
    }
}
