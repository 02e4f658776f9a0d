package io.twofa.config;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** All settings of the service under the {@code twofa.} prefix (environment: {@code TWOFA_…}). */
@ConfigMapping(prefix = "twofa")
public interface TwofaConfig {

    /** Directory for the embedded database and the keys generated in embedded mode. */
    @WithDefault("data")
    String dataDir();

    /** The embedded PostgreSQL used when no datasource is configured. */
    EmbeddedDatabase embeddedDatabase();

    /** Signed tokens. */
    Token token();

    /** Keys for TOTP secrets and backup-code hashes, and password hashing. */
    Crypto crypto();

    /** Throttling of second-factor attempts (TOTP and backup codes share it). */
    SecondFactorThrottle secondFactorThrottle();

    /** Throttling of password attempts. */
    PasswordThrottle passwordThrottle();

    /** First start with an empty database. */
    Bootstrap bootstrap();

    /** Refresh tokens of desktop programs (sessions that outlive the short access token). */
    Refresh refresh();

    /** How long a request may wait for PostgreSQL before it is answered 503 (see operations/DatabasePool). */
    Database database();

    /** Device authorization (RFC 8628): tools that sign in through a browser. */
    Device device();

    /** Re-authentication before sensitive actions (SPEC §7). */
    StepUp stepUp();

    interface StepUp {
        /**
         * Sensitive actions need an authentication ({@code auth_time}) at most this old; older ones get 403
         * {@code step-up-required} and re-authenticate with POST /api/v1/auth/step-up.
         */
        @WithDefault("5M")
        Duration maxAge();
    }

    interface EmbeddedDatabase {
        /** Start an embedded PostgreSQL when no datasource URL is configured. */
        @WithDefault("true")
        boolean enabled();

        /** Set by the service itself when the embedded database is in use. */
        @WithDefault("false")
        boolean active();

        /** Wipe the embedded database at start (tests). */
        @WithDefault("false")
        boolean fresh();

        /** Fixed port for the embedded database; a free one when unset. */
        Optional<Integer> port();
    }

    interface Token {
        /** The {@code iss} claim of every token. */
        @WithDefault("twofa-service")
        String issuer();

        /** The {@code aud} claim of access tokens: the site that accepts them. */
        @WithDefault("flow-production-tracking")
        String audience();

        /** Lifetime of the challenge token issued after the password step. */
        @WithDefault("300")
        int challengeLifetimeSeconds();

        /** Tolerated clock difference when checking {@code exp}, {@code iat}. */
        @WithDefault("30")
        int clockSkewSeconds();

        /** Directory of PEM signing keys named {@code <kid>.pem}; generated under the data directory in embedded mode. */
        Optional<String> keysDir();

        /**
         * The {@code kid} that signs new tokens, overriding the rotation rules (newest active key signs): it still
         * signs only once its activation delay is over, and it keeps signing while newer keys are published.
         */
        Optional<String> currentKeyId();

        /** How often every instance reads the key directory again (added and removed keys) and syncs with the database. */
        @WithDefault("30S")
        Duration keysRefreshInterval();

        /**
         * How long a new key is published (in the JWKS of every instance) before it signs: longer than relying parties
         * cache the JWKS (max-age 300 s) and than the slowest instance needs to see the new file.
         */
        @WithDefault("10M")
        Duration keyActivationDelay();
    }

    interface Crypto {
        /** Directory of 256-bit keys named {@code <kid>.key} (Base64); generated under the data directory in embedded mode. */
        Optional<String> keysDir();

        /** The key id used for new secrets and backup codes; required when the directory holds several keys. */
        Optional<String> currentKeyId();

        /** Generate missing keys even with an external database (never in production). */
        @WithDefault("false")
        boolean generateKeys();

        /** Re-seal TOTP secrets made under older keys with the current key at start-up (after a rotation). */
        @WithDefault("false")
        boolean reencryptAtStart();

        /** Argon2id memory in KiB (OWASP: 19 MiB minimum with 2 iterations). */
        @WithDefault("19456")
        int argon2MemoryKib();

        /** Argon2id iterations. */
        @WithDefault("2")
        int argon2Iterations();

        /** Argon2id lanes. */
        @WithDefault("1")
        int argon2Parallelism();

        /** Password hashes computed at once (default: one per CPU core); more would only wait for a core while holding their memory. */
        Optional<Integer> argon2Threads();
    }

    interface SecondFactorThrottle {
        /** Consecutive failures allowed before each further attempt must wait. */
        @WithDefault("5")
        int freeAttempts();

        /** First wait; it doubles with each further failure. */
        @WithDefault("30S")
        Duration baseDelay();

        /** Longest wait. */
        @WithDefault("15M")
        Duration maxDelay();

        /** Consecutive failures after which the second factor is locked until an admin reset (0: never). */
        @WithDefault("100")
        int lockAfter();
    }

    /** The password throttle (docs/throttling.md): per login and client address, per address, and a per-login ceiling. */
    interface PasswordThrottle {
        /** Consecutive failures of one login from one client address allowed before each further attempt must wait. */
        @WithDefault("5")
        int freeAttempts();

        /** First wait; it doubles with each further failure. */
        @WithDefault("30S")
        Duration baseDelay();

        /** Longest wait. */
        @WithDefault("15M")
        Duration maxDelay();

        /** Consecutive failures from one client address, over all logins (unknown ones included), before it must wait. */
        @WithDefault("50")
        int addressFreeAttempts();

        /** First wait of an address over its budget; it doubles with each further failure. */
        @WithDefault("30S")
        Duration addressBaseDelay();

        /** Longest wait of an address over its budget. */
        @WithDefault("15M")
        Duration addressMaxDelay();

        /** Failed evaluations of one login, from addresses that are not its known addresses, per rolling window. */
        @WithDefault("100")
        int loginCeiling();

        /** The rolling window of the ceiling. */
        @WithDefault("24H")
        Duration ceilingWindow();

        /** Beyond the ceiling: at most one evaluation per slot, from an address that has not failed for the login. */
        @WithDefault("15M")
        Duration ceilingSlot();

        /** An address the account logged in from successfully stays known (exempt from ceiling and budget) this long. */
        @WithDefault("P30D")
        Duration knownAddressLifetime();

        /** A counter with no failure for this long is forgotten (its row expires). */
        @WithDefault("24H")
        Duration forgetAfter();

        /** How often expired counter rows and stale known addresses are removed. */
        @WithDefault("1M")
        Duration cleanupInterval();

        /** Password checks admitted at once per hashing thread (hashing or waiting for it); beyond: 503 at once. */
        @WithDefault("8")
        int hashQueuePerThread();

        /** {@code Retry-After} of the 503 answered when the hashing queue is full. */
        @WithDefault("1S")
        Duration busyRetryAfter();

        /** IPv6 clients are counted per network of this prefix length (one host usually holds a whole /64). */
        @WithDefault("64")
        int ipv6PrefixLength();
    }

    interface Refresh {
        /** Client kinds that receive a refresh token after a full login (comma-separated); {@code web} does not by default. */
        @WithDefault("desktop,toolkit,rv,review-ios,cli")
        Set<String> clients();

        /** A refresh token unused for this long expires; each refresh starts the period again (sliding). */
        @WithDefault("P30D")
        Duration idleLifetime();

        /** No refresh beyond this time after the original login, however active the session. */
        @WithDefault("P90D")
        Duration absoluteLifetime();

        /**
         * A refresh token presented again this soon after its rotation gets the same successor instead of counting as
         * reuse (processes sharing one session refresh at the same moment); 0 turns the grace off.
         */
        @WithDefault("30S")
        Duration gracePeriod();
    }

    interface Bootstrap {
        /** Password of the {@code admin} account created on first start; when unset, a generated one is written to {@code <data-dir>/bootstrap-admin-password} (0600). */
        Optional<String> adminPassword();
    }

    interface Database {
        /** Longest wait for a new TCP connection to PostgreSQL. */
        @WithDefault("3S")
        Duration connectTimeout();

        /** Longest wait for a connection from the pool (all busy, or none can be opened). */
        @WithDefault("5S")
        Duration acquireTimeout();

        /**
         * Longest time a request may take before it is answered 503: the backstop for a database that accepts
         * connections but does not answer (frozen, or a network that drops packets), where no client timeout fires.
         */
        @WithDefault("8S")
        Duration requestTimeout();
    }

    interface Device {
        /** How long a device authorization waits for approval and redemption ({@code expires_in}). */
        @WithDefault("600S")
        Duration lifetime();

        /** The least time between two polls of the token endpoint ({@code interval}); each slow_down adds 5 s. */
        @WithDefault("5S")
        Duration interval();

        /** The fixed windows (aligned to the epoch) the budgets below count in. */
        @WithDefault("1H")
        Duration budgetWindow();

        /** User-code lookups (details, approve, deny) per client address per window. */
        @WithDefault("30")
        int lookupsPerAddress();

        /** User-code lookups over all addresses per window. */
        @WithDefault("600")
        int lookupsOverall();

        /** Device authorizations started per client address per window. */
        @WithDefault("30")
        int authorizationsPerAddress();
    }
}
