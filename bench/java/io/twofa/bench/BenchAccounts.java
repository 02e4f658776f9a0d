package io.twofa.bench;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

import io.twofa.crypto.PasswordHasher;

/**
 * The seeded benchmark accounts, all derived from their index n, so that the seeder, the load generator and the
 * pgbench script agree without sharing any state: ids, login, password and TOTP secret.
 */
public final class BenchAccounts {

    /** One password for every benchmark account: hashed once by the seeder (Argon2id, {@link #hasher()}). */
    public static final String PASSWORD = "bench-password-1";

    /** The production Argon2id parameters (TwofaConfig's defaults): memory KiB, iterations, parallelism. */
    public static final String PRODUCTION_ARGON2 = "19456,2,1";

    private BenchAccounts() {
    }

    /** {@code b0000000-0000-4000-8000-<n, 12 decimal digits>}: pgbench builds the same string from n. */
    public static UUID accountId(long n) {
        return UUID.fromString(String.format("b0000000-0000-4000-8000-%012d", n));
    }

    public static UUID authenticatorId(long n) {
        return UUID.fromString(String.format("a0000000-0000-4000-8000-%012d", n));
    }

    /**
     * The hasher of the accounts' passwords: {@code -Dargon2=m,t,p} (run.sh's BENCH_ARGON2), by default the production
     * parameters. A cheap hash (e.g. 1024,1,1) leaves the cost of the password step outside the hash to be measured;
     * the service verifies each stored hash with the parameters written in it.
     */
    public static PasswordHasher hasher() {
        String spec = System.getProperty("argon2", PRODUCTION_ARGON2);
        String[] p = spec.split(",");
        if (p.length != 3) {
            throw new IllegalArgumentException("argon2 must be m,t,p (memory KiB, iterations, parallelism): " + spec);
        }
        return new PasswordHasher(Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim()), Integer.parseInt(p[2].trim()));
    }

    public static String login(long n) {
        return "bench" + n;
    }

    /** A 20-byte TOTP secret (the size the service generates), SHA-1 of a per-account string. */
    public static byte[] secret(long n) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(("twofa-bench-secret-" + n).getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
