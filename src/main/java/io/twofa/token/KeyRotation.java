package io.twofa.token;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.twofa.config.TwofaConfig;
import io.twofa.crypto.KeyDirectory;
import io.twofa.token.KeySchedule.Decision;
import io.twofa.token.KeySchedule.KeyFacts;

/**
 * Signing-key rotation without a restart (issue 21): every instance reads its key directory again every
 * {@code twofa.token.keys-refresh-interval}, records in {@code signing_key} which keys it has (first sighting, last
 * sighting, its signing lease), and applies {@link KeySchedule} to what all instances recorded. The first round runs
 * at start-up, before the HTTP server takes requests, and must succeed; later failures (a file being written, a
 * database outage) keep the last good state and are logged once.
 */
@ApplicationScoped
class KeyRotation {

    private static final Logger LOG = Logger.getLogger(KeyRotation.class);
    /** The longest access-token lifetime the site policy allows (SPEC §1: 60–3600 s). */
    static final Duration LONGEST_ACCESS_TOKEN = Duration.ofHours(1);
    /** The JWKS's Cache-Control max-age (JwksResource). */
    static final Duration JWKS_CACHE = Duration.ofSeconds(300);
    private static final Duration DATABASE_WAIT = Duration.ofSeconds(10);
    private static final byte[] PROBE = "twofa signing key pair check".getBytes(StandardCharsets.UTF_8);

    /** A parsed key file; {@code privateKey} is null for a file with only a PUBLIC KEY block. */
    private record Held(String content, PrivateKey privateKey, byte[] publicKey) {
    }

    /** A public key as decoded once: the same object every round, which TokenService's verification contexts rely on. */
    private record Decoded(byte[] der, PublicKey key) {
    }

    private final SigningKeys keys;
    private final SigningKeyRepository repository;
    private final Clock clock;
    private final Optional<Path> directory;
    private final Optional<String> pinned;
    private final Duration interval;
    private final Duration lease;
    private final KeySchedule.Rules rules;

    // state of the rounds, which run one at a time (start-up, then the scheduler's single thread)
    private Map<String, Held> held = Map.of();
    private List<SigningKeyRepository.Stored> stored = List.of();
    private final Map<String, Decoded> decoded = new HashMap<>();
    private CompletableFuture<List<SigningKeyRepository.Stored>> pendingSync;
    private Decision last;
    private final Set<String> reported = new HashSet<>();
    private ScheduledExecutorService scheduler;

    KeyRotation(SigningKeys keys, SigningKeyRepository repository, Clock clock, TwofaConfig config) {
        this.keys = keys;
        this.repository = repository;
        this.clock = clock;
        this.directory = keys.directory();
        this.pinned = config.token().currentKeyId();
        this.interval = config.token().keysRefreshInterval();
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalStateException("twofa.token.keys-refresh-interval must be positive, not " + interval);
        }
        Duration delay = config.token().keyActivationDelay();
        if (delay.isNegative()) {
            throw new IllegalStateException("twofa.token.key-activation-delay must not be negative, not " + delay);
        }
        // the lease is renewed every round: three rounds of slack before a lapse
        this.lease = interval.multipliedBy(3);
        this.rules = new KeySchedule.Rules(delay, LONGEST_ACCESS_TOKEN.plusSeconds(config.token().clockSkewSeconds()),
                interval.multipliedBy(3));
        if (delay.compareTo(JWKS_CACHE.plus(interval.multipliedBy(2))) < 0) {
            LOG.warnf("twofa.token.key-activation-delay (%s) is shorter than the JWKS cache time (%s) plus two key refresh "
                    + "intervals: a relying party may get a token of a new key before it fetches the JWKS that has it", delay,
                    JWKS_CACHE);
        }
    }

    void start(@Observes StartupEvent event) {
        round(true);
        scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "twofa-signing-keys");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleWithFixedDelay(this::tick, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    private void tick() {
        try {
            round(false);
        } catch (RuntimeException | Error e) {
            // an exception would end the schedule: nothing may stop the next round
            LOG.errorf(e, "Signing keys: the refresh round failed; the keys stay as they were");
        }
    }

    /** One round: the directory, the database, the rules. At start-up every failure stops the start. */
    void round(boolean atStart) {
        Instant now = clock.instant();
        scanDirectory(atStart);
        syncDatabase(now, atStart);
        apply(now, atStart);
    }

    private void scanDirectory(boolean atStart) {
        Path dir = directory.orElseThrow(() -> new IllegalStateException("no signing key directory"));
        try {
            Map<String, Held> next = new TreeMap<>();
            for (Map.Entry<String, String> file : KeyDirectory.scan(dir, "pem").entrySet()) {
                String kid = file.getKey();
                Held previous = held.get(kid);
                if (previous != null && previous.content().equals(file.getValue())) {
                    next.put(kid, previous);
                    continue;
                }
                try {
                    next.put(kid, parse(kid, file.getValue()));
                    reported.remove("file:" + kid);
                } catch (RuntimeException e) {
                    if (atStart) {
                        throw e;
                    }
                    // a file being written, or a bad one: its last good content (if any) stays in use
                    once("file:" + kid, Logger.Level.WARN, "Signing key file %s.pem in %s is ignored: %s", kid, dir,
                            e.getMessage());
                    if (previous != null) {
                        next.put(kid, previous);
                    }
                }
            }
            if (next.isEmpty()) {
                throw new IllegalStateException("No signing key (*.pem) in " + dir);
            }
            held = next;
            reported.remove("directory");
        } catch (java.io.IOException | RuntimeException e) {
            if (atStart) {
                throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
            }
            // keeping the last good scan also keeps its keys "seen": a broken directory never retires a key
            once("directory", Logger.Level.ERROR, "Signing keys: cannot read %s (%s); the keys read before stay in use", dir,
                    e.getMessage());
        }
    }

    private static Held parse(String kid, String content) {
        Map<String, byte[]> blocks = SigningKeys.blocks(content);
        if (!blocks.containsKey("PUBLIC KEY")) {
            throw new IllegalStateException("Signing key " + kid + ".pem has no PUBLIC KEY block");
        }
        PublicKey publicKey = SigningKeys.decode(new X509EncodedKeySpec(blocks.get("PUBLIC KEY")), true);
        PrivateKey privateKey = null;
        if (blocks.containsKey("PRIVATE KEY")) {
            privateKey = SigningKeys.decode(new PKCS8EncodedKeySpec(blocks.get("PRIVATE KEY")), false);
            // tokens signed with a private key that does not belong to the published public key verify nowhere
            try {
                Signature signer = Signature.getInstance("SHA256withECDSA");
                signer.initSign(privateKey);
                signer.update(PROBE);
                byte[] signature = signer.sign();
                Signature verifier = Signature.getInstance("SHA256withECDSA");
                verifier.initVerify(publicKey);
                verifier.update(PROBE);
                if (!verifier.verify(signature)) {
                    throw new IllegalStateException("the PRIVATE KEY and PUBLIC KEY blocks of " + kid + ".pem are not one key pair");
                }
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException("cannot check the key pair of " + kid + ".pem: " + e.getMessage(), e);
            }
        }
        return new Held(content, privateKey, publicKey.getEncoded());
    }

    private void syncDatabase(Instant now, boolean atStart) {
        if (pendingSync != null && !pendingSync.isDone()) {
            // the database has not answered the previous round yet: do not pile up statements on a stuck pool
            return;
        }
        List<String> kids = new ArrayList<>(held.keySet());
        List<byte[]> publicKeys = kids.stream().map(kid -> held.get(kid).publicKey()).toList();
        String signing = last == null ? null : last.signingKid();
        pendingSync = repository.recordSeen(kids, publicKeys, now)
                .chain(() -> signing == null ? io.smallrye.mutiny.Uni.createFrom().voidItem()
                        : repository.extendSigning(signing, now.plus(lease)))
                .chain(repository::all)
                .subscribeAsCompletionStage();
        try {
            stored = pendingSync.get(DATABASE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (reported.remove("database")) {
                LOG.info("Signing keys: the database answers again");
            }
        } catch (TimeoutException | ExecutionException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            if (atStart) {
                throw new IllegalStateException("Cannot record the signing keys in the database (signing_key): " + cause, cause);
            }
            once("database", Logger.Level.WARN,
                    "Signing keys: cannot sync with the database (%s); the rules go on with what it said last",
                    cause.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void apply(Instant now, boolean atStart) {
        Map<String, SigningKeyRepository.Stored> byKid = new HashMap<>();
        stored.forEach(s -> byKid.put(s.facts().kid(), s));
        Set<String> usable = new HashSet<>();
        held.forEach((kid, key) -> {
            SigningKeyRepository.Stored row = byKid.get(kid);
            if (row != null && !Arrays.equals(row.publicKey(), key.publicKey())) {
                once("kid:" + kid, Logger.Level.ERROR, "Signing key file %s.pem holds another key than the one published "
                        + "under that kid: it is not used. A new key needs a new kid (file name).", kid);
            } else if (row != null && key.privateKey() != null) {
                usable.add(kid);
            }
        });
        List<KeyFacts> facts = stored.stream().map(SigningKeyRepository.Stored::facts).toList();
        Decision decision = KeySchedule.decide(facts, usable, pinned, rules, now);
        if (decision.signingKid() == null) {
            if (atStart) {
                throw new IllegalStateException("No signing key with a PRIVATE KEY block in " + directory.orElse(null)
                        + " can sign (see the log above); add one as described in docs/key-rotation.md");
            }
            once("no-signer", Logger.Level.ERROR, "Signing keys: none of the files in %s can sign; %s keeps signing",
                    directory.orElse(null), keys.currentKeyId());
            return;
        }
        reported.remove("no-signer");
        Map<String, PublicKey> published = new TreeMap<>();
        for (String kid : decision.publishedUntil().keySet()) {
            PublicKey key = publicKey(kid, byKid.get(kid).publicKey());
            if (key != null) {
                published.put(kid, key);
            }
        }
        boolean signerChanges = last == null || !decision.signingKid().equals(last.signingKid());
        if (signerChanges) {
            extendSigning(decision.signingKid(), now, atStart);
        }
        if (signerChanges || !published.keySet().equals(keys.publishedKeyIds())) {
            keys.publish(new SigningKeys.Signer(decision.signingKid(), held.get(decision.signingKid()).privateKey()), published);
        }
        report(decision, facts, now);
        last = decision;
    }

    private void extendSigning(String kid, Instant now, boolean atStart) {
        try {
            repository.extendSigning(kid, now.plus(lease)).subscribeAsCompletionStage()
                    .get(DATABASE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            if (atStart) {
                throw new IllegalStateException("Cannot record the signing key in the database: " + e, e);
            }
            // the next round renews it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private PublicKey publicKey(String kid, byte[] der) {
        Decoded known = decoded.get(kid);
        if (known != null && Arrays.equals(known.der(), der)) {
            return known.key();
        }
        try {
            PublicKey key = SigningKeys.decode(new X509EncodedKeySpec(der), true);
            decoded.put(kid, new Decoded(der, key));
            return key;
        } catch (RuntimeException e) {
            once("stored:" + kid, Logger.Level.ERROR, "Signing key %s in the database is not an EC P-256 public key: not published", kid);
            return null;
        }
    }

    /** Logs what changed since the last round: what operators watch during a rotation (docs/key-rotation.md). */
    private void report(Decision now, List<KeyFacts> facts, Instant at) {
        Map<String, Instant> before = last == null ? Map.of() : last.publishedUntil();
        Instant first = facts.stream().map(KeyFacts::publishedAt).min(Instant::compareTo).orElse(at);
        for (KeyFacts key : facts) {
            String kid = key.kid();
            Instant until = now.publishedUntil().get(kid);
            if (until != null && !before.containsKey(kid)) {
                Instant activeFrom = KeySchedule.activeFrom(key, first, rules);
                LOG.infof("Signing key %s is published (JWKS) since %s; it may sign from %s", kid, key.publishedAt(),
                        activeFrom.isAfter(at) ? activeFrom : "now on");
            }
            if (until != null && !until.equals(Instant.MAX) && (before.get(kid) == null || before.get(kid).equals(Instant.MAX))) {
                LOG.infof("Signing key %s is retired: it stays in the JWKS until %s, when the tokens it signed have expired",
                        kid, until);
            }
            if (until == null && before.containsKey(kid)) {
                LOG.infof("Signing key %s has left the JWKS: tokens it signed no longer verify", kid);
            }
        }
        if (last == null || !now.signingKid().equals(last.signingKid())) {
            switch (now.choice()) {
                case PINNED -> LOG.infof("Signing key %s signs new tokens (twofa.token.current-key-id)", now.signingKid());
                case NEWEST_ACTIVE -> LOG.infof("Signing key %s signs new tokens", now.signingKid());
                case NOT_YET_ACTIVE -> LOG.warnf("Signing key %s signs new tokens before its activation delay is over: this "
                        + "instance has no active key (were the older key files removed?)", now.signingKid());
                default -> LOG.errorf("Signing key %s signs new tokens although it had left the JWKS: this instance has no "
                        + "published key. Add a new key file and wait for its activation.", now.signingKid());
            }
        }
        if (now.newestActive() != null && !now.newestActive().equals(now.signingKid()) && now.choice() != KeySchedule.Choice.PINNED
                && !held.containsKey(now.newestActive())) {
            once("lacks:" + now.newestActive(), Logger.Level.WARN, "Signing key %s is active, but its file is not in %s: "
                    + "this instance keeps signing with %s. Every instance needs the same key files.", now.newestActive(),
                    directory.orElse(null), now.signingKid());
        }
    }

    /** Logs a problem once until it goes away (the rounds repeat every few seconds). */
    private void once(String what, Logger.Level level, String format, Object... params) {
        if (reported.add(what)) {
            LOG.logf(level, format, params);
        }
    }
}
