package io.twofa.login;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.twofa.account.AccountService;
import io.twofa.error.ProblemException;
import io.twofa.error.ProblemType;
import io.twofa.token.Challenges;
import io.twofa.token.TokenPrincipal;
import io.twofa.web.RequestOrigin;

/**
 * A login with a temporary password (set by an admin) continues here: the user replaces it, and the answer is what the
 * password step would have answered with the new password, so they go on without typing it again. The challenge of
 * the {@code password_change_required} answer is spent in the change's transaction (single use, also under races).
 */
@ApplicationScoped
public class TemporaryPasswordLogin {

    private final AccountService accounts;
    private final LoginService logins;
    private final Challenges challenges;

    TemporaryPasswordLogin(AccountService accounts, LoginService logins, Challenges challenges) {
        this.accounts = accounts;
        this.logins = logins;
        this.challenges = challenges;
    }

    /** {@code current}: the temporary password, checked under the password throttle. */
    public Uni<LoginResult> changeAndContinue(TokenPrincipal challenge, String current, String next, RequestOrigin origin) {
        if (!challenge.isChallengeFor(TokenPrincipal.PURPOSE_PASSWORD_CHANGE)) {
            throw new ProblemException(ProblemType.WRONG_STEP, "This sign-in step does not change a password.");
        }
        return challenges.requireUnspent(challenge)
                .chain(() -> accounts.changePassword(challenge.accountId(), current, next, origin,
                        account -> challenges.spend(challenge).chain(() -> logins.decide(account, challenge.client()))));
    }
}
