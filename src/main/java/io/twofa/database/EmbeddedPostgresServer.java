package io.twofa.database;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

import io.twofa.crypto.KeyDirectory;
import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import io.zonky.test.db.postgres.util.LinuxUtils;

/**
 * The embedded PostgreSQL of the default mode, closed to everyone but the service (issue 13):
 * <ul>
 * <li>only password logins (SCRAM-SHA-256) as {@code postgres}, with a random password made at the first start and
 * kept in {@code <data-dir>/postgres-password} (0600); pg_hba.conf is rewritten at every start to hold nothing else;</li>
 * <li>TCP on 127.0.0.1 only, no Unix socket (zonky's binaries would put it in the shared /tmp);</li>
 * <li>the binaries are unpacked into {@code <data-dir>/postgres-binaries}, inside the owner-only data directory,
 * never into the world-writable {@code java.io.tmpdir/embedded-pg} that zonky uses by default (binary planting).</li>
 * </ul>
 * A cluster made by an earlier version (trust authentication, no password file) is upgraded in place before its
 * server starts: a new password is set in single-user mode (no network listener is open meanwhile) and pg_hba.conf
 * is replaced. Deleting the password file makes the next start set a new password the same way.
 */
final class EmbeddedPostgresServer {

    static final String USER = "postgres";
    static final String PASSWORD_FILE = "postgres-password";
    static final String BINARIES_DIR = "postgres-binaries";
    static final String CLUSTER_DIR = "postgres";
    static final String PG_HBA = """
            # Written by twofa-service at every start of its embedded PostgreSQL; edits are overwritten.
            # Password logins (SCRAM-SHA-256) only, from this host only: no trust, no peer, no ident.
            local   all   all                  scram-sha-256
            host    all   all   127.0.0.1/32   scram-sha-256
            """;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** How the cluster was found at start. */
    enum Opened {
        CREATED, REOPENED, UPGRADED;

        /** One word: bench/run.sh reads the port from "Embedded PostgreSQL <word> on port N". */
        String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A running server and how to log in to it. */
    record Started(EmbeddedPostgres server, Opened opened, Path cluster, Path passwordFile, String password) {
        int port() {
            return server.getPort();
        }
    }

    private EmbeddedPostgresServer() {
    }

    /**
     * Starts the server on {@code dataDir/postgres}, creating, reopening or upgrading the cluster there.
     *
     * @param fresh wipe the cluster first (tests); also leaves fsync off, as zonky does for throw-away data
     * @param port fixed port, or empty for a free one
     */
    static Started start(Path dataDir, boolean fresh, Optional<Integer> port) throws IOException {
        dataDir = dataDir.toAbsolutePath().normalize();
        KeyDirectory.createOwnerOnlyDirectories(dataDir);
        // an earlier version created it with the umask's permissions (often 0755)
        restrictToOwner(dataDir);
        Path cluster = dataDir.resolve(CLUSTER_DIR);
        Path binaries = dataDir.resolve(BINARIES_DIR);
        Path passwordFile = dataDir.resolve(PASSWORD_FILE);
        if (fresh) {
            deleteRecursively(cluster);
        }
        KeyDirectory.createOwnerOnlyDirectories(binaries);
        // zonky runs initdb exactly when postgresql.conf is missing
        boolean initialised = Files.exists(cluster.resolve("postgresql.conf"));
        Opened opened;
        String password;
        if (!initialised) {
            opened = Opened.CREATED;
            password = newPassword();
            // initdb reads the superuser's password from it (--pwfile)
            KeyDirectory.replaceOwnerOnly(passwordFile, password);
        } else if (Files.exists(passwordFile)) {
            opened = Opened.REOPENED;
            password = Files.readString(passwordFile).strip();
        } else {
            opened = Opened.UPGRADED;
            password = newPassword();
        }

        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setOverrideWorkingDirectory(binaries.toFile())
                // zonky caches unpacked binaries per resolver object for the whole JVM: an object of our own makes it
                // unpack (once) into this data directory even if something else in the JVM used its shared default
                .setPgBinaryResolver(new OwnBinaries())
                .setDataDirectory(cluster.toFile())
                // keep an initialised cluster; zonky's "clean" would wipe it on every start
                .setCleanDataDirectory(false)
                // zonky's initdb says "-A trust"; initdb takes the last --auth, and --pwfile sets the password
                .setLocaleConfig("auth", "scram-sha-256")
                .setLocaleConfig("pwfile", passwordFile.toString())
                // zonky's readiness check logs in too
                .setConnectConfig("password", password)
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("unix_socket_directories", "")
                .setServerConfig("password_encryption", "scram-sha-256")
                .setServerConfig("max_connections", "200")
                // stopped by the factory's own hook, after the application (see EmbeddedPostgresConfigSourceFactory)
                .setRegisterShutdownHook(false)
                .setDataDirectoryCustomizer(dir -> beforeServerStarts(dir.toPath(), binaries, passwordFile, password, opened));
        if (!fresh) {
            // zonky starts PostgreSQL for throw-away test data (-F: no fsync, no synchronous commit); a kept
            // database holds accounts, replay guards and used backup codes: a commit must survive a crash
            builder.setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on");
        }
        port.ifPresent(builder::setPort);
        try {
            return new Started(builder.start(), opened, cluster, passwordFile, password);
        } catch (IOException | RuntimeException e) {
            stopLeftover(cluster, binaries);
            if (causedBy(e, "password authentication failed")) {
                throw new IllegalStateException("The password in " + passwordFile + " does not open the database in " + cluster
                        + " (the file was replaced, or the data restored from elsewhere). Delete " + passwordFile
                        + " and start again: the service then sets a new password and writes it there.", e);
            }
            throw e;
        } finally {
            restrictToOwner(binaries);
        }
    }

    /** Runs after initdb (if any) and before the postmaster: nothing can connect yet. */
    private static void beforeServerStarts(Path cluster, Path binaries, Path passwordFile, String password, Opened opened) {
        try {
            // zonky makes its working directory writable by everyone; inside the owner-only data directory no one
            // else could reach it, but it is put back anyway, with the unpacked tree
            restrictToOwner(binaries);
            removeGroupAndOtherWrite(binaries);
            if (opened == Opened.UPGRADED) {
                setPasswordSingleUser(postgresBinary(binaries), cluster, password);
            }
            Files.writeString(cluster.resolve("pg_hba.conf"), PG_HBA);
            if (opened == Opened.UPGRADED) {
                // last: without the file, an interrupted upgrade is simply done again at the next start
                KeyDirectory.replaceOwnerOnly(passwordFile, password);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Sets the superuser's password in single-user mode: a backend on the data directory, reading SQL from stdin,
     * with no listener open. The statement carries a SCRAM verifier, not the password, so even an error echo of
     * the statement shows no password.
     */
    private static void setPasswordSingleUser(Path postgres, Path cluster, String password) throws IOException {
        List<String> command = new ArrayList<>();
        if (LinuxUtils.isUnshareAvailable()) {
            // PostgreSQL refuses to run as root; zonky then runs its binaries in a user namespace, so must we
            command.addAll(List.of("unshare", "-U"));
        }
        command.addAll(List.of(postgres.toString(), "--single", "-D", cluster.toString(), "postgres"));
        Process backend = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (OutputStream in = backend.getOutputStream()) {
            in.write(("ALTER ROLE " + USER + " WITH PASSWORD '" + scramVerifier(password) + "'\n").getBytes(StandardCharsets.UTF_8));
        }
        String output;
        try (InputStream out = backend.getInputStream()) {
            output = new String(out.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            if (!backend.waitFor(2, TimeUnit.MINUTES)) {
                backend.destroyForcibly();
                throw new IllegalStateException("PostgreSQL in single-user mode did not finish on " + cluster);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while setting the database password", e);
        }
        if (backend.exitValue() != 0 || output.contains("ERROR:") || output.contains("FATAL:")) {
            throw new IllegalStateException("Could not set a password on the database in " + cluster + " made by an earlier "
                    + "version (exit " + backend.exitValue() + "): " + output.replaceAll("SCRAM-SHA-256\\$[^' ]*", "<verifier>").strip());
        }
    }

    /**
     * The verifier PostgreSQL stores for a SCRAM-SHA-256 password (RFC 5802, RFC 7677):
     * {@code SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>}, all Base64.
     */
    static String scramVerifier(String password) {
        try {
            byte[] salt = new byte[16];
            RANDOM.nextBytes(salt);
            int iterations = 4096;
            byte[] salted = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                    .generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 256)).getEncoded();
            byte[] clientKey = hmac(salted, "Client Key");
            byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
            byte[] serverKey = hmac(salted, "Server Key");
            Base64.Encoder b64 = Base64.getEncoder();
            return "SCRAM-SHA-256$" + iterations + ":" + b64.encodeToString(salt) + "$" + b64.encodeToString(storedKey) + ":"
                    + b64.encodeToString(serverKey);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmac(byte[] key, String message) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(message.getBytes(StandardCharsets.US_ASCII));
    }

    /** 24 random bytes, URL-safe Base64: no character that needs quoting in a shell, a URL or SQL. */
    private static String newPassword() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The {@code postgres} executable zonky unpacked under the binaries directory (PG-<hash>/bin); newest first. */
    static Path postgresBinary(Path binaries) throws IOException {
        try (Stream<Path> dirs = Files.list(binaries)) {
            return dirs.filter(d -> d.getFileName().toString().startsWith("PG-"))
                    .map(d -> d.resolve("bin").resolve("postgres"))
                    .filter(Files::isExecutable)
                    .max(Comparator.comparingLong(p -> p.getParent().getParent().toFile().lastModified()))
                    .orElseThrow(() -> new IllegalStateException("No PostgreSQL binaries under " + binaries));
        }
    }

    /** A failed start can leave a postmaster behind (zonky's own hook is off): stop it, best effort. */
    private static void stopLeftover(Path cluster, Path binaries) {
        if (!Files.exists(cluster.resolve("postmaster.pid"))) {
            return;
        }
        try {
            Path pgCtl = postgresBinary(binaries).resolveSibling("pg_ctl");
            List<String> command = new ArrayList<>();
            if (LinuxUtils.isUnshareAvailable()) {
                command.addAll(List.of("unshare", "-U"));
            }
            command.addAll(List.of(pgCtl.toString(), "-D", cluster.toString(), "stop", "-m", "fast", "-w"));
            Process stop = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            stop.waitFor(30, TimeUnit.SECONDS);
        } catch (IOException | RuntimeException e) {
            // nothing more to do: the start's own error is what the operator needs
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean causedBy(Throwable e, String text) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains(text)) {
                return true;
            }
        }
        return false;
    }

    private static void restrictToOwner(Path dir) throws IOException {
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system (the service runs on Linux and macOS)
        }
    }

    private static void removeGroupAndOtherWrite(Path tree) throws IOException {
        Set<PosixFilePermission> write = EnumSet.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);
        try (Stream<Path> paths = Files.walk(tree)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                if (Files.isSymbolicLink(p)) {
                    continue;
                }
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
                if (perms.removeAll(write)) {
                    Files.setPosixFilePermissions(p, perms);
                }
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    /** zonky's bundled binaries, under an object of our own (see {@link #start}). */
    private static final class OwnBinaries implements PgBinaryResolver {
        @Override
        public InputStream getPgBinary(String system, String machineHardware) throws IOException {
            return DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system, machineHardware);
        }
    }
}
