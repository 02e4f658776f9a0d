package io.twofa.bench;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * The seeded benchmark accounts, all derived from their index n, so that the seeder, the load generator and the
 * pgbench script agree without sharing any state: ids, login, password and TOTP secret.
 */
public final class BenchAccounts {

    /** One password for every benchmark account: hashed once by the seeder (Argon2id, production parameters). */
    public static final String PASSWORD = "bench-password-1";

    private BenchAccounts() {
    }

    /** {@code b0000000-0000-4000-8000-<n, 12 decimal digits>}: pgbench builds the same string from n. */
    public static UUID accountId(long n) {
        return UUID.fromString(String.format("b0000000-0000-4000-8000-%012d", n));
    }

    public static UUID authenticatorId(long n) {
        return UUID.fromString(String.format("a0000000-0000-4000-8000-%012d", n));
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
