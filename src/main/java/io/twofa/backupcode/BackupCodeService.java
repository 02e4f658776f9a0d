package io.twofa.backupcode;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import io.twofa.account.Account;
import io.twofa.account.AccountService;
import io.twofa.account.PasswordVerifier;
import io.twofa.audit.AuditLog;
import io.twofa.audit.AuditType;
import io.twofa.crypto.SecretCipher;
import io.twofa.error.ProblemException;
import io.twofa.error.ProblemType;
import io.twofa.error.Require;
import io.twofa.factor.RecoveryCodes;
import io.twofa.factor.SecondFactors;
import io.twofa.policy.SitePolicyService;
import io.twofa.token.StepUp;
import io.twofa.token.TokenPrincipal;
import io.twofa.web.RequestOrigin;

/** Issues and counts backup codes (SPEC §6); consuming them is {@link BackupCodeFactor}'s. */
@ApplicationScoped
public class BackupCodeService implements RecoveryCodes {

    /** A set as shown once to its owner, with what its text file names. */
    public record IssuedSet(String login, String issuer, List<String> codes, Instant generatedAt) {
    }

    /** What is left of the current set. */
    public record Remaining(long remaining, Instant generatedAt) {
    }

    private final BackupCodeRepository codes;
    private final AccountService accounts;
    private final SecondFactors factors;
    private final SitePolicyService policies;
    private final PasswordVerifier passwords;
    private final SecretCipher cipher;
    private final StepUp stepUp;
    private final AuditLog audit;
    private final Clock clock;

    BackupCodeService(BackupCodeRepository codes, AccountService accounts, SecondFactors factors, SitePolicyService policies,
            PasswordVerifier passwords, SecretCipher cipher, StepUp stepUp, AuditLog audit, Clock clock) {
        this.codes = codes;
        this.accounts = accounts;
        this.factors = factors;
        this.policies = policies;
        this.passwords = passwords;
        this.cipher = cipher;
        this.stepUp = stepUp;
        this.audit = audit;
        this.clock = clock;
    }

    /** Replaces the account's set with a new one of the policy's size, in the caller's transaction. */
    @Override
    public Uni<RecoveryCodes.IssuedSet> replaceSet(UUID accountId, Instant now) {
        return policies.current().flatMap(policy -> {
            List<String> plain = new ArrayList<>(policy.backupCodeCount);
            List<BackupCode> rows = new ArrayList<>(policy.backupCodeCount);
            for (int i = 0; i < policy.backupCodeCount; i++) {
                String code = BackupCodeFormat.generate();
                plain.add(BackupCodeFormat.display(code));
                BackupCode row = new BackupCode();
                row.id = UUID.randomUUID();
                row.accountId = accountId;
                row.hashKeyId = cipher.currentKeyId();
                row.codeHash = cipher.keyedHash(row.hashKeyId, code);
                row.generatedAt = now;
                rows.add(row);
            }
            // the bulk delete runs at once, before the inserts are flushed: old and new never coexist
            return codes.deleteSetOf(accountId).chain(() -> codes.persist(rows))
                    .replaceWith(new RecoveryCodes.IssuedSet(plain, now));
        });
    }

    @WithSession
    public Uni<Remaining> remaining(UUID accountId) {
        return codes.countUnused(accountId).flatMap(n -> codes.anyOf(accountId)
                .map(any -> new Remaining(n, any == null ? null : any.generatedAt)));
    }

    /** A new set for the caller, who re-enters the password; the old set is void in the same transaction. */
    public Uni<IssuedSet> regenerate(UUID accountId, String password, String actor, RequestOrigin origin) {
        Require.text("password", password, 1, 1024);
        return passwords.confirmAccount(accountId, password, origin)
                .flatMap(account -> issueFor(account, actor, origin, "by the user", null));
    }

    /** An admin's last resort for a user who lost phone and codes; needs step-up (codes for someone else grant access). */
    public Uni<IssuedSet> issueByAdmin(String login, String reason, TokenPrincipal admin, RequestOrigin origin) {
        String why = Require.text("reason", reason, 1, 256);
        return accounts.findByLogin(login).flatMap(account -> account == null
                ? Uni.createFrom().failure(ProblemException.noSuchAccount(login))
                : issueFor(account, admin.login(), origin, "by admin, reason: " + why, admin));
    }

    /** {@code admin}: the admin issuing them for someone (step-up), or null when the owner does. */
    private Uni<IssuedSet> issueFor(Account account, String actor, RequestOrigin origin, String detail, TokenPrincipal admin) {
        if (account.isExemptFromTwoFactor()) {
            return Uni.createFrom().failure(new ProblemException(ProblemType.EXEMPT, "Client users do not use a second factor."));
        }
        Instant now = clock.instant();
        return Panache.withTransaction(() -> factors.anyPrimaryEnrolled(account.id).flatMap(enrolled -> !enrolled
                ? Uni.createFrom().failure(new ProblemException(ProblemType.NOT_ENROLLED,
                        "Set up an authenticator app first; backup codes come with it."))
                // step-up last: after the checks that refuse anyway, right before the change
                : (admin == null ? Uni.createFrom().item((StepUp.Recent) null) : stepUp.require(admin))
                        .flatMap(recent -> replaceSet(account.id, now)
                                .call(() -> recent == null
                                        ? audit.record(AuditType.BACKUP_CODES_ISSUED, actor, account.login, origin, detail)
                                        : audit.record(AuditType.BACKUP_CODES_ISSUED, actor, account.login, origin, detail,
                                                recent.ageSeconds())))
                        .flatMap(set -> policies.current()
                                .map(policy -> new IssuedSet(account.login, policy.issuer, set.codes(), now)))));
    }
}
