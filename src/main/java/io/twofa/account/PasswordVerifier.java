package io.twofa.account;

import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.twofa.config.TwofaConfig;
import io.twofa.crypto.PasswordHasher;
import io.twofa.database.Sql;
import io.twofa.error.ProblemException;
import io.twofa.error.ProblemType;
import io.twofa.throttle.Attempt;
import io.twofa.throttle.PasswordRefusal;
import io.twofa.throttle.Throttle;
import io.twofa.throttle.Throttles;
import io.twofa.web.RequestOrigin;
import io.vertx.mutiny.core.Vertx;

/**
 * Checks passwords under the password throttle (docs/throttling.md), with bounded work. In order: a client that has
 * gone away is not served; a check beyond the hashing queue's bound is refused at once (503, nothing counted); the
 * attempt is reserved in every throttle scope (committed at once; 429 without evaluation when a scope makes it wait);
 * right before its hash starts, a check whose client has gone away meanwhile is dropped; the Argon2id hash runs on a
 * worker thread with no connection held; a success clears what it may and remembers the client's address.
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

        /** Not evaluated: a throttle scope makes the client wait. */
        record Throttled(long retryAfterSeconds, PasswordRefusal refusal) implements Outcome {
        }

        /** Not evaluated: the hashing queue is full. */
        record Busy(long retryAfterSeconds) implements Outcome {
        }

        /** Not evaluated: the client went away before its hash started. */
        record Abandoned() implements Outcome {
        }
    }

    /**
     * Who asks: the client address (as {@link io.twofa.web.Origins} resolved it), whether the client has gone away
     * (checked before any work and right before hashing), and per refusal reason a piece to write in the reservation's
     * statement (an audit row) or null.
     */
    public record Client(String address, BooleanSupplier gone, Function<PasswordRefusal, Sql> onRefusal) {

        /** A client that stays for the answer, with nothing written on refusal. */
        public static Client at(RequestOrigin origin) {
            return new Client(origin == null ? null : origin.sourceIp(), () -> false, refusal -> null);
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
    private final HashingQueue hashing;
    private final long busyRetryAfter;
    /**
     * {@code twofa_password_checks_total{outcome}}: hashed, busy (queue full), abandoned (client gone before the
     * check began), dropped (client gone while it waited for a hashing thread), throttled.
     */
    private final Counter hashed;
    private final Counter busy;
    private final Counter abandoned;
    private final Counter dropped;
    private final Counter throttledChecks;

    PasswordVerifier(AccountRepository accounts, Throttle throttle, Throttles throttles, PasswordHasher hasher, Vertx vertx,
            TwofaConfig config, MeterRegistry registry) {
        this.accounts = accounts;
        this.throttle = throttle;
        this.throttles = throttles;
        this.hasher = hasher;
        int threads = config.crypto().argon2Threads().orElse(Runtime.getRuntime().availableProcessors());
        if (threads < 1) {
            throw new IllegalStateException("twofa.crypto.argon2-threads (TWOFA_CRYPTO_ARGON2_THREADS) must be at least 1");
        }
        int perThread = config.passwordThrottle().hashQueuePerThread();
        if (perThread < 1) {
            throw new IllegalStateException(
                    "twofa.password-throttle.hash-queue-per-thread (TWOFA_PASSWORD_THROTTLE_HASH_QUEUE_PER_THREAD) must be at least 1");
        }
        this.hashing = new HashingQueue(vertx.createSharedWorkerExecutor("argon2id", threads), threads * perThread);
        this.busyRetryAfter = Math.max(1, config.passwordThrottle().busyRetryAfter().toSeconds());
        this.hashed = checks(registry, "hashed");
        this.busy = checks(registry, "busy");
        this.abandoned = checks(registry, "abandoned");
        this.dropped = checks(registry, "dropped");
        this.throttledChecks = checks(registry, "throttled");
        io.micrometer.core.instrument.Gauge.builder("twofa.password.hash.queue", hashing, HashingQueue::size)
                .description("Password hashes waiting for a hashing thread or running").register(registry);
    }

    private static Counter checks(MeterRegistry registry, String outcome) {
        return Counter.builder("twofa.password.checks").description("Password checks by outcome (docs/throttling.md)")
                .tag("outcome", outcome).register(registry);
    }

    public Uni<Outcome> checkLogin(String login, String password, Client client) {
        return admitted(client, () -> throttle.reservePassword(throttles.password(), login, client.address(), !hashing.full(),
                client.onRefusal())
                .flatMap(reserved -> reserved.attempt() instanceof Attempt.Allowed
                        ? Panache.withSession(() -> accounts.findByLogin(login))
                                .flatMap(account -> evaluate(reserved, account, password, client))
                        : refused(reserved)));
    }

    public Uni<Outcome> checkAccount(UUID accountId, String password, Client client) {
        return Panache.withSession(() -> accounts.findById(accountId)).flatMap(account -> account == null
                ? Uni.createFrom().item((Outcome) new Outcome.Failed(null))
                : admitted(client, () -> throttle.reservePassword(throttles.password(), account.login, client.address(),
                        !hashing.full(), client.onRefusal())
                        .flatMap(reserved -> reserved.attempt() instanceof Attempt.Allowed
                                ? evaluate(reserved, account, password, client)
                                : refused(reserved))));
    }

    /**
     * A password re-entered by a logged-in user (new phone, new backup codes, password change): the account, or
     * a failure with the 429, 503 or 401 problem to answer. Counted like a login from the request's address.
     */
    public Uni<Account> confirmAccount(UUID accountId, String password, RequestOrigin origin) {
        return checkAccount(accountId, password, Client.at(origin)).map(outcome -> {
            if (outcome instanceof Outcome.Throttled t) {
                throw ProblemException.throttled(t.retryAfterSeconds());
            }
            if (outcome instanceof Outcome.Busy b) {
                throw busy(b.retryAfterSeconds());
            }
            if (!(outcome instanceof Outcome.Verified v)) {
                throw ProblemException.badPassword();
            }
            return v.account();
        });
    }

    /** As {@link #confirmAccount(UUID, String, RequestOrigin)} for a caller without a request: counted under no address. */
    public Uni<Account> confirmAccount(UUID accountId, String password) {
        return confirmAccount(accountId, password, null);
    }

    /** The 503 of a full hashing queue. */
    public static ProblemException busy(long retryAfterSeconds) {
        return new ProblemException(ProblemType.UNAVAILABLE, "Too many sign-ins at once; try again in " + retryAfterSeconds
                + " seconds.", java.util.Map.of(), java.util.Map.of("Retry-After", Long.toString(retryAfterSeconds)));
    }

    /** Hashes a new password off the event loop. */
    public Uni<String> hash(String password) {
        return hashing.run(() -> hasher.hash(password));
    }

    /**
     * Runs {@code check} unless its client is gone or there are too many checks in progress (in all, or from its
     * address): then it is answered at once, with no database work and nothing counted. An attempt the throttle refuses
     * never takes a place in the hashing queue (a throttled flood does not crowd out the checks that get evaluated); one
     * that finds no room to hash is answered busy and spends its address's budget (a client that ignores
     * {@code Retry-After} is soon throttled).
     */
    private Uni<Outcome> admitted(Client client, java.util.function.Supplier<Uni<Outcome>> check) {
        return Uni.createFrom().deferred(() -> {
            if (client.gone().getAsBoolean()) {
                abandoned.increment();
                return Uni.createFrom().item(new Outcome.Abandoned());
            }
            HashingQueue.Check place = hashing.tryBegin(Throttle.addressKey(throttles.password(), client.address()),
                    client.gone());
            if (place == null) {
                busy.increment();
                return Uni.createFrom().item(new Outcome.Busy(busyRetryAfter));
            }
            // ended once the check ends, however it ends (answered, failed, or cancelled)
            return Uni.createFrom().<Outcome>deferred(check::get).onTermination().invoke(() -> hashing.end(place));
        });
    }

    private Uni<Outcome> refused(Throttle.PasswordReservation reserved) {
        if (reserved.busy()) {
            busy.increment();
            return Uni.createFrom().item(new Outcome.Busy(busyRetryAfter));
        }
        throttledChecks.increment();
        return Uni.createFrom().item(new Outcome.Throttled(((Attempt.Throttled) reserved.attempt()).retryAfterSeconds(),
                reserved.refusal()));
    }

    /**
     * The hash, in the queue, unless the client went away while the check waited for a hashing thread. An attempt that
     * is reserved but not evaluated (the queue filled up meanwhile in a burst, or the client left) is given back to the
     * throttle's counters.
     */
    private Uni<Outcome> evaluate(Throttle.PasswordReservation reserved, Account account, String password, Client client) {
        // a distinct object per check: its place in the queue
        BooleanSupplier gone = () -> client.gone().getAsBoolean();
        if (!hashing.tryEnter(gone)) {
            busy.increment();
            return throttle.passwordNotEvaluated(reserved, true).replaceWith((Outcome) new Outcome.Busy(busyRetryAfter));
        }
        String hash = account == null ? null : account.passwordHash;
        return hashing.run(() -> {
            if (client.gone().getAsBoolean()) {
                return null;
            }
            hashed.increment();
            return hasher.verify(password, hash);
        }).onTermination().invoke(() -> hashing.leave(gone)).flatMap(ok -> {
            if (ok == null) {
                dropped.increment();
                return throttle.passwordNotEvaluated(reserved, false).replaceWith((Outcome) new Outcome.Abandoned());
            }
            // a disabled account fails like a wrong password, counters included: the answer never tells them apart
            return ok && account.isActive()
                    ? throttle.passwordSucceeded(reserved).replaceWith((Outcome) new Outcome.Verified(account))
                    : Uni.createFrom().item(new Outcome.Failed(account));
        });
    }
}
