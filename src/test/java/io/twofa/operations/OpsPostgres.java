package io.twofa.operations;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import io.twofa.crypto.KeyDirectory;
import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;

/**
 * A real PostgreSQL server started by the operations tests themselves (zonky's binaries, as the service's own
 * embedded mode uses), outside any service instance: the instances connect to it as to an external database, and
 * a test can stop it and start it again on the same data directory and port (a database outage).
 */
final class OpsPostgres {

    private static final Object LOCK = new Object();
    private static final Path BINARIES = Path.of("target", "ops-postgres", "binaries").toAbsolutePath();
    /** One object for all starts: zonky caches unpacked binaries per resolver object. */
    private static final PgBinaryResolver RESOLVER = (system, hardware) -> DefaultPostgresBinaryResolver.INSTANCE
            .getPgBinary(system, hardware);
    private static EmbeddedPostgres server;
    private static Path dataDir;
    private static int port;

    private OpsPostgres() {
    }

    /** Starts a new server in a new data directory under {@code target/ops-postgres}. */
    static void startNew(String name) {
        synchronized (LOCK) {
            if (server != null) {
                throw new IllegalStateException("the operations PostgreSQL is already running");
            }
            try {
                dataDir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "ops-postgres")), name + "-")
                        .toAbsolutePath();
                port = freePort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            start();
        }
    }

    /** Starts the server again on the same data directory and port (after {@link #stop()}). */
    static void start() {
        synchronized (LOCK) {
            if (server != null) {
                return;
            }
            try {
                // password logins only, as an external production server (and the embedded default mode) requires
                Path passwordFile = dataDir.resolveSibling(dataDir.getFileName() + ".pw");
                if (!Files.exists(passwordFile)) {
                    KeyDirectory.writeNewOwnerOnly(passwordFile, OpsPostgresResource.PASSWORD);
                }
                server = EmbeddedPostgres.builder()
                        .setDataDirectory(dataDir.toFile())
                        .setCleanDataDirectory(false)
                        .setLocaleConfig("auth", "scram-sha-256")
                        .setLocaleConfig("pwfile", passwordFile.toString())
                        .setConnectConfig("password", OpsPostgresResource.PASSWORD)
                        // binaries under target/, not zonky's world-writable directory in the shared /tmp
                        .setOverrideWorkingDirectory(BINARIES.toFile())
                        .setPgBinaryResolver(RESOLVER)
                        .setPort(port)
                        .setServerConfig("max_connections", "200")
                        .setRegisterShutdownHook(true)
                        .start();
                // zonky leaves its working directory writable by everyone
                Files.setPosixFilePermissions(BINARIES, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            } catch (IOException e) {
                throw new UncheckedIOException("could not start the operations PostgreSQL", e);
            }
        }
    }

    /** Stops the server (pg_ctl stop, fast mode: open connections are terminated); the data stays. */
    static void stop() {
        synchronized (LOCK) {
            if (server == null) {
                return;
            }
            try {
                server.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                server = null;
            }
        }
    }

    /** Stops the server and deletes its data. */
    static void destroy() {
        synchronized (LOCK) {
            stop();
            if (dataDir != null) {
                deleteRecursively(dataDir);
                dataDir.resolveSibling(dataDir.getFileName() + ".pw").toFile().delete();
                dataDir = null;
            }
        }
    }

    static boolean running() {
        synchronized (LOCK) {
            return server != null;
        }
    }

    /** The postmaster and its children (backends, background workers): the whole server. */
    static java.util.List<Long> serverPids() {
        synchronized (LOCK) {
            try {
                long postmaster = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
                java.util.List<Long> pids = new java.util.ArrayList<>();
                pids.add(postmaster);
                ProcessHandle.of(postmaster).ifPresent(p -> p.descendants().forEach(d -> pids.add(d.pid())));
                return pids;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Freezes (SIGSTOP) or thaws (SIGCONT) the server: connections stay open, nothing answers. */
    static void signal(String signal) {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("kill", "-" + signal));
        serverPids().forEach(pid -> command.add(Long.toString(pid)));
        try {
            Process kill = new ProcessBuilder(command).inheritIO().start();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException(command + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static int port() {
        return port;
    }

    static String reactiveUrl() {
        return "postgresql://localhost:" + port + "/postgres";
    }

    static String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + port + "/postgres";
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: target/ is cleaned by the build anyway
        }
    }
}
