package io.twofa.account;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.twofa.factor.SecondFactors;
import io.twofa.policy.SitePolicyService;
import io.twofa.token.PasswordOnlyLogin;

/**
 * When the password alone is a complete login, for step-up: for an active account exempt from two-factor (role
 * {@code client}), or one without a second factor while the site does not require one. Judged now, not at login: an
 * account that has since set up a second factor, or a site that has since switched two-factor on, needs the code.
 */
@ApplicationScoped
public class PasswordOnlyLoginRule implements PasswordOnlyLogin {

    private final AccountRepository accounts;
    private final SitePolicyService policies;
    private final SecondFactors factors;

    PasswordOnlyLoginRule(AccountRepository accounts, SitePolicyService policies, SecondFactors factors) {
        this.accounts = accounts;
        this.policies = policies;
        this.factors = factors;
    }

    @Override
    public Uni<Boolean> isComplete(UUID accountId) {
        return Panache.withSession(() -> accounts.findById(accountId).flatMap(account -> {
            if (account == null || !account.isActive()) {
                return Uni.createFrom().item(false);
            }
            if (account.isExemptFromTwoFactor()) {
                return Uni.createFrom().item(true);
            }
            return policies.current().flatMap(policy -> policy.twoFactorRequired ? Uni.createFrom().item(false)
                    : factors.anyPrimaryEnrolled(accountId).map(enrolled -> !enrolled));
        }));
    }
}
