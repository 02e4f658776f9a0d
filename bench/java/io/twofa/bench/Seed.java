package io.twofa.bench;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

import io.twofa.crypto.KeyDirectory;
import io.twofa.crypto.SecretCipher;

/**
 * Seeds the benchmark straight into PostgreSQL with the project's own crypto (no endpoint of the service):
 * <ul>
 * <li>{@code accounts FROM TO}: enrolled accounts n = FROM..TO-1 ({@link BenchAccounts}); one Argon2id hash with the
 * production parameters is computed once and shared; each TOTP secret is sealed with {@link SecretCipher} (key from the
 * service's key directory, AAD = account id) and written with {@code COPY} into {@code account} and {@code authenticator}.</li>
 * <li>{@code audit COUNT}: adds COUNT rows to {@code audit_event} with {@code insert … select generate_series}.</li>
 * </ul>
 * Connection: system properties {@code jdbc}, {@code user}, {@code password}; keys: {@code keys} (the service's
 * {@code <data-dir>/keys/secrets}).
 */
public final class Seed {

    private static final int BATCH = 20_000;

    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        switch (args[0]) {
            case "accounts" -> {
                long from = Long.parseLong(args[1]);
                long to = Long.parseLong(args[2]);
                accounts(from, to);
                double s = (System.nanoTime() - t0) / 1e9;
                System.out.printf("seeded accounts %d..%d: %d in %.1f s (%.0f accounts/s)%n", from, to - 1, to - from, s,
                        (to - from) / s);
            }
            case "audit" -> {
                long count = Long.parseLong(args[1]);
                audit(count);
                double s = (System.nanoTime() - t0) / 1e9;
                System.out.printf("added %d audit_event rows in %.1f s (%.0f rows/s)%n", count, s, count / s);
            }
            default -> throw new IllegalArgumentException("accounts FROM TO | audit COUNT");
        }
    }

    static Connection connect() throws Exception {
        return DriverManager.getConnection(System.getProperty("jdbc"), System.getProperty("user"), System.getProperty("password"));
    }

    static void accounts(long from, long to) throws Exception {
        KeyDirectory.Contents keys = KeyDirectory.load(Optional.of(Path.of(System.getProperty("keys"))), "key",
                Optional.ofNullable(System.getProperty("keyId")), false, null, "-Dkeys");
        SecretCipher cipher = new SecretCipher(keys.byId(), keys.currentId());
        // one hash for all accounts (production parameters unless -Dargon2 says otherwise)
        String hash = BenchAccounts.hasher().hash(BenchAccounts.PASSWORD);
        String now = Instant.now().toString();
        int threads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), 4));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> parts = new ArrayList<>();
        long per = (to - from + threads - 1) / threads;
        for (int t = 0; t < threads; t++) {
            long a = from + t * per;
            long b = Math.min(to, a + per);
            if (a >= b) {
                continue;
            }
            parts.add(pool.submit(() -> {
                try (Connection c = connect()) {
                    c.setAutoCommit(false);
                    CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
                    for (long lo = a; lo < b; lo += BATCH) {
                        long hi = Math.min(b, lo + BATCH);
                        StringBuilder acc = new StringBuilder((int) (hi - lo) * 220);
                        StringBuilder aut = new StringBuilder((int) (hi - lo) * 200);
                        for (long n = lo; n < hi; n++) {
                            String id = BenchAccounts.accountId(n).toString();
                            acc.append(id).append('\t').append(BenchAccounts.login(n)).append('\t').append(hash)
                                    .append("\tuser\t").append(now).append('\n');
                            SecretCipher.Sealed sealed = cipher.seal(BenchAccounts.secret(n), id);
                            aut.append(BenchAccounts.authenticatorId(n)).append('\t').append(id).append("\tactive\t")
                                    .append(sealed.keyId()).append("\t\\\\x").append(HexFormat.of().formatHex(sealed.data()))
                                    .append('\t').append(now).append("\t\\N\t").append(now).append("\t-1\n");
                        }
                        copy.copyIn("COPY account (id, login, password_hash, role, created_at) FROM STDIN",
                                new ByteArrayInputStream(acc.toString().getBytes(StandardCharsets.UTF_8)));
                        copy.copyIn("COPY authenticator (id, account_id, status, secret_key_id, secret_ciphertext, created_at,"
                                + " expires_at, activated_at, last_used_step) FROM STDIN",
                                new ByteArrayInputStream(aut.toString().getBytes(StandardCharsets.UTF_8)));
                    }
                    c.commit();
                }
                return null;
            }));
        }
        for (Future<?> f : parts) {
            f.get();
        }
        pool.shutdown();
        // vacuumed now, as a database in service is, rather than by autovacuum in the middle of a measured phase
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("vacuum analyze account");
            s.execute("vacuum analyze authenticator");
            settle(s);
        }
    }

    /**
     * Rows shaped like the service's own: login/verify events of the benchmark accounts, oldest first. The secondary
     * (non-unique) indexes of audit_event are dropped first and rebuilt afterwards from their own definitions
     * (pg_get_indexdef), which is about 3x faster than maintaining them row by row; the table ends up exactly as it was
     * defined, with COUNT more rows, vacuumed and analysed.
     */
    static void audit(long count) throws Exception {
        java.util.Map<String, String> indexes = new java.util.LinkedHashMap<>();
        try (Connection c = connect(); Statement s = c.createStatement();
                java.sql.ResultSet rs = s.executeQuery("""
                        select i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) from pg_index i
                        where i.indrelid = 'audit_event'::regclass and not i.indisprimary and not i.indisunique
                          and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid)""")) {
            while (rs.next()) {
                indexes.put(rs.getString(1), rs.getString(2));
            }
            for (String name : indexes.keySet()) {
                s.execute("drop index " + name);
            }
        }
        int threads = 2;
        long per = (count + threads - 1) / threads;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> parts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long a = t * per + 1;
                long b = Math.min(count, (t + 1) * per);
                parts.add(pool.submit(() -> {
                    try (Connection c = connect(); Statement s = c.createStatement()) {
                        s.execute("""
                                insert into audit_event (occurred_at, type, actor, subject_login, client, source_ip, detail)
                                select now() - make_interval(secs => %d - g),
                                       (array['login_succeeded','second_factor_succeeded','login_failed','second_factor_failed'])[1 + g %% 4],
                                       'bench' || (g %% 1000000), 'bench' || (g %% 1000000), 'web', '127.0.0.1',
                                       case when g %% 4 = 1 then 'totp' end
                                from generate_series(%d, %d) g""".formatted(count, a, b));
                    }
                    return null;
                }));
            }
            for (Future<?> f : parts) {
                f.get();
            }
        } finally {
            // rebuild the indexes, one per connection in parallel, whatever happened to the insert
            List<Future<?>> builds = new ArrayList<>();
            for (String definition : indexes.values()) {
                builds.add(pool.submit(() -> {
                    try (Connection c = connect(); Statement s = c.createStatement()) {
                        s.execute("set maintenance_work_mem = '512MB'");
                        s.execute(definition);
                    }
                    return null;
                }));
            }
            for (Future<?> f : builds) {
                f.get();
            }
            pool.shutdown();
        }
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("vacuum analyze audit_event");
            settle(s);
        }
    }

    /**
     * Writes the seeded pages out now. Otherwise the WAL of a large seed starts a checkpoint that runs through the next
     * phases, and every page they touch first after it is written to the WAL whole: one run measured 1.83 ms of
     * PostgreSQL CPU per verify in the phase under that checkpoint and 0.68 ms in the same phase later.
     */
    private static void settle(Statement s) {
        try {
            s.execute("checkpoint");
        } catch (SQLException e) {
            // CHECKPOINT needs a superuser or pg_checkpoint: on an external server the run goes on, with a warning
            System.err.println("WARNING: no checkpoint after seeding (" + e.getMessage().strip()
                    + "); the next phases may run under the seed's checkpoint");
        }
    }
}
