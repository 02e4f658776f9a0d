package io.twofa.backupcodes;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import io.twofa.account.Account;
import io.twofa.account.AccountRepository;
import io.twofa.account.PasswordVerifier;
import io.twofa.audit.AuditLog;
import io.twofa.audit.AuditType;
import io.twofa.audit.RequestOrigin;
import io.twofa.crypto.SecretCipher;
import io.twofa.enrollment.AuthenticatorRepository;
import io.twofa.error.ConflictProblem;
import io.twofa.error.ForbiddenProblem;
import io.twofa.error.NotFoundProblem;
import io.twofa.error.Require;
import io.twofa.policy.SitePolicyRepository;

/** Issues, counts and consumes backup codes (SPEC §6). */
@ApplicationScoped
public class BackupCodeService {

    /** A set as shown once to its owner. */
    public record IssuedSet(String login, String issuer, List<String> codes, Instant generatedAt) {
    }

    /** What is left of the current set. */
    public record Remaining(long remaining, Instant generatedAt) {
    }

    private final BackupCodeRepository codes;
    private final AccountRepository accounts;
    private final AuthenticatorRepository authenticators;
    private final SitePolicyRepository policies;
    private final PasswordVerifier passwords;
    private final SecretCipher cipher;
    private final AuditLog audit;
    private final Clock clock;

    BackupCodeService(BackupCodeRepository codes, AccountRepository accounts, AuthenticatorRepository authenticators,
            SitePolicyRepository policies, PasswordVerifier passwords, SecretCipher cipher, AuditLog audit, Clock clock) {
        this.codes = codes;
        this.accounts = accounts;
        this.authenticators = authenticators;
        this.policies = policies;
        this.passwords = passwords;
        this.cipher = cipher;
        this.audit = audit;
        this.clock = clock;
    }

    /** Replaces the account's set with a new one of the policy's size, in the caller's transaction. */
    public Uni<List<String>> replaceSet(UUID accountId, int count, Instant now) {
        List<String> plain = new ArrayList<>(count);
        List<BackupCode> rows = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
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
        return codes.deleteSetOf(accountId).chain(() -> codes.persist(rows)).replaceWith(plain);
    }

    /**
     * Consumes a code in the caller's transaction; the remaining count when it was unused, empty otherwise
     * (wrong, malformed, already used: indistinguishable to the caller).
     */
    public Uni<Optional<Long>> consume(UUID accountId, String input) {
        Optional<String> canonical = BackupCodeFormat.canonical(input);
        if (canonical.isEmpty()) {
            return Uni.createFrom().item(Optional.empty());
        }
        // a keyed hash under every configured key: codes made before a key rotation still match
        List<byte[]> hashes = cipher.keyIds().stream().map(id -> cipher.keyedHash(id, canonical.get())).toList();
        return codes.consumeOnce(accountId, hashes, clock.instant()).flatMap(updated -> updated == 1
                ? codes.countUnused(accountId).map(Optional::of)
                : Uni.createFrom().item(Optional.<Long>empty()));
    }

    @WithSession
    public Uni<Remaining> remaining(UUID accountId) {
        return codes.countUnused(accountId).flatMap(n -> codes.anyOf(accountId)
                .map(any -> new Remaining(n, any == null ? null : any.generatedAt)));
    }

    /** A new set for the caller, who re-enters the password; the old set is void in the same transaction. */
    public Uni<IssuedSet> regenerate(UUID accountId, String password, String actor, RequestOrigin origin) {
        Require.text("password", password, 1, 1024);
        return passwords.confirmAccount(accountId, password).flatMap(account -> issueFor(account, actor, origin, "by the user"));
    }

    /** An admin's last resort for a user who lost phone and codes. */
    public Uni<IssuedSet> issueByAdmin(String login, String reason, String actor, RequestOrigin origin) {
        String why = Require.text("reason", reason, 1, 256);
        return Panache.withSession(() -> accounts.findByLogin(login)).flatMap(account -> account == null
                ? Uni.createFrom().failure(NotFoundProblem.account(login))
                : issueFor(account, actor, origin, "by admin, reason: " + why));
    }

    private Uni<IssuedSet> issueFor(Account account, String actor, RequestOrigin origin, String detail) {
        if (account.isExemptFromTwoFactor()) {
            return Uni.createFrom().failure(new ForbiddenProblem("exempt", "Client users do not use a second factor."));
        }
        Instant now = clock.instant();
        return Panache.withTransaction(() -> authenticators.findActive(account.id).flatMap(active -> active == null
                ? Uni.createFrom().failure(new ConflictProblem("not-enrolled",
                        "Set up an authenticator app first; backup codes come with it."))
                : policies.current().flatMap(policy -> replaceSet(account.id, policy.backupCodeCount, now)
                        .call(() -> audit.record(AuditType.BACKUP_CODES_ISSUED, actor, account.login, origin, detail))
                        .map(list -> new IssuedSet(account.login, policy.issuer, list, now)))));
    }

    /** The "save as text file" / "print" form of a set. */
    public static String asText(IssuedSet set) {
        StringBuilder text = new StringBuilder();
        text.append(set.issuer()).append(" backup codes for ").append(set.login()).append('\n');
        text.append("Generated ").append(set.generatedAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)).append("\n\n");
        for (int i = 0; i < set.codes().size(); i++) {
            // "\n" everywhere, whatever the server's platform
            text.append(String.format("%2d. %s", i + 1, set.codes().get(i))).append('\n');
        }
        text.append("\nEach code works once, in place of an authenticator code; generating new codes voids these.\n");
        return text.toString();
    }
}
