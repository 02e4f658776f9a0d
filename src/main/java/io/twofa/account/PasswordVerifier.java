package io.twofa.account;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.twofa.config.TwofaConfig;
import io.twofa.crypto.PasswordHasher;
import io.twofa.error.ProblemException;
import io.twofa.throttle.Attempt;
import io.twofa.throttle.Throttle;
import io.twofa.throttle.Throttles;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.WorkerExecutor;

/**
 * Checks passwords under the password throttle. The attempt is reserved first (committed at once), the
 * Argon2id hash runs on a worker thread with no connection held, and only a success resets the counter.
 * Unknown logins cost the same hash and share the same counters, so answers do not reveal which logins exist.
 */
@ApplicationScoped
public class PasswordVerifier {

    /** Outcome of a password check. */
    public sealed interface Outcome {
        record Verified(Account account) implements Outcome {
        }

        record Failed(Account accountOrNull) implements Outcome {
        }

        record Throttled(long retryAfterSeconds) implements Outcome {
        }
    }

    private final AccountRepository accounts;
    private final Throttle throttle;
    private final Throttles throttles;
    private final PasswordHasher hasher;
    /**
     * Argon2id runs here, one hash per core at most: it is CPU-bound, and each hash holds its memory (19 MiB) until it
     * ends. Sixteen at once on the worker pool took twice the CPU per hash (garbage collection of the live blocks) and
     * gigabytes of heap (bench/, README "Performance"); queued, each hash ends sooner and its memory dies young.
     */
    private final WorkerExecutor hashing;

    PasswordVerifier(AccountRepository accounts, Throttle throttle, Throttles throttles, PasswordHasher hasher, Vertx vertx,
            TwofaConfig config) {
        this.accounts = accounts;
        this.throttle = throttle;
        this.throttles = throttles;
        this.hasher = hasher;
        int threads = config.crypto().argon2Threads().orElse(Runtime.getRuntime().availableProcessors());
        if (threads < 1) {
            throw new IllegalStateException("twofa.crypto.argon2-threads (TWOFA_CRYPTO_ARGON2_THREADS) must be at least 1");
        }
        this.hashing = vertx.createSharedWorkerExecutor("argon2id", threads);
    }

    public Uni<Outcome> checkLogin(String login, String password) {
        String subject = AccountRepository.normalize(login);
        return throttle.reserve(throttles.password(), subject)
                .flatMap(attempt -> attempt instanceof Attempt.Allowed
                        ? Panache.withSession(() -> accounts.findByLogin(login)).map(account -> new Reserved(attempt, account))
                        : Uni.createFrom().item(new Reserved(attempt, null)))
                .flatMap(reserved -> evaluate(reserved, subject, password));
    }

    public Uni<Outcome> checkAccount(UUID accountId, String password) {
        return Panache.withSession(() -> accounts.findById(accountId)).flatMap(account -> account == null
                ? Uni.createFrom().item((Outcome) new Outcome.Failed(null))
                : throttle.reserve(throttles.password(), AccountRepository.normalize(account.login))
                        .flatMap(attempt -> evaluate(new Reserved(attempt, account), AccountRepository.normalize(account.login),
                                password)));
    }

    /**
     * A password re-entered by a logged-in user (new phone, new backup codes, password change): the account, or
     * a failure with the 429 or 401 problem to answer.
     */
    public Uni<Account> confirmAccount(UUID accountId, String password) {
        return checkAccount(accountId, password).map(outcome -> {
            if (outcome instanceof Outcome.Throttled t) {
                throw ProblemException.throttled(t.retryAfterSeconds());
            }
            if (!(outcome instanceof Outcome.Verified v)) {
                throw ProblemException.badPassword();
            }
            return v.account();
        });
    }

    /** Hashes a new password off the event loop. */
    public Uni<String> hash(String password) {
        return hashing.executeBlocking(Uni.createFrom().item(() -> hasher.hash(password)), false);
    }

    private record Reserved(Attempt attempt, Account account) {
    }

    private Uni<Outcome> evaluate(Reserved reserved, String subject, String password) {
        if (reserved.attempt() instanceof Attempt.Throttled t) {
            return Uni.createFrom().item(new Outcome.Throttled(t.retryAfterSeconds()));
        }
        Account account = reserved.account();
        String hash = account == null ? null : account.passwordHash;
        return hashing.executeBlocking(Uni.createFrom().item(() -> hasher.verify(password, hash)), false)
                // a disabled account fails like a wrong password, counter included: the answer never tells them apart
                .flatMap(ok -> ok && account.isActive()
                        ? throttle.clear(throttles.password(), subject).replaceWith((Outcome) new Outcome.Verified(account))
                        : Uni.createFrom().item(new Outcome.Failed(account)));
    }
}
