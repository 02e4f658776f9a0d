package io.twofa.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The embedded PostgreSQL of the default mode against a local attacker (issue 13 part 1), on real servers started
 * by {@link EmbeddedPostgresServer} itself (no Quarkus application): password logins only, owner-only files, and an
 * old trust-authentication data directory upgraded in place with its data.
 */
@Tag("slow")
class EmbeddedDatabaseSecurityTest {

    private static final Set<PosixFilePermission> GROUP_OTHER_WRITE = EnumSet.of(PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.OTHERS_WRITE);
    private final List<AutoCloseable> servers = new ArrayList<>();
    private final List<Path> dataDirs = new ArrayList<>();

    @AfterEach
    void stopServers() throws Exception {
        for (AutoCloseable server : servers) {
            server.close();
        }
        // each holds its own copy of the binaries (60 MB)
        for (Path dir : dataDirs) {
            EmbeddedPostgresServer.deleteRecursively(dir);
        }
    }

    private Path newDataDir(String name) throws IOException {
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "embedded-security")), name + "-")
                .toAbsolutePath();
        dataDirs.add(dir);
        return dir;
    }

    private EmbeddedPostgresServer.Started start(Path dataDir) throws IOException {
        EmbeddedPostgresServer.Started started = EmbeddedPostgresServer.start(dataDir, false, Optional.empty());
        servers.add(started.server());
        return started;
    }

    private static Connection connect(int port, String password) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", password);
    }

    private static String query(int port, String password, String sql) throws SQLException {
        try (Connection c = connect(port, password); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** What a local account without the password gets: nothing, with or without a guess. */
    private static void assertRefusedWithoutThePassword(int port) {
        assertThatThrownBy(() -> DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres").close())
                .as("no password").isInstanceOf(SQLException.class)
                // the server asked for SCRAM instead of letting the connection in
                .hasMessageContaining("SCRAM");
        assertThatThrownBy(() -> connect(port, "postgres").close())
                .as("the previous version's well-known password").isInstanceOf(SQLException.class)
                .hasMessageContaining("password authentication failed")
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28P01"));
    }

    private static void assertOnlyScramInHba(int port, String password, Path cluster) throws Exception {
        // the rules the server really loaded, not only the file
        assertThat(query(port, password, "select string_agg(distinct auth_method, ',') from pg_hba_file_rules"))
                .isEqualTo("scram-sha-256");
        assertThat(query(port, password, "select count(*) from pg_hba_file_rules where error is not null")).isEqualTo("0");
        List<String> rules = Files.readAllLines(cluster.resolve("pg_hba.conf")).stream()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertThat(rules).isNotEmpty().allSatisfy(rule -> assertThat(rule).endsWith("scram-sha-256").doesNotContain("trust"));
    }

    private static void assertOwnerOnly(Path dataDir, Path passwordFile) throws IOException {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir))).as("data directory").isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("postgres"))))
                .as("cluster directory").isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(passwordFile))).as("password file").isEqualTo("rw-------");
        Path binaries = dataDir.resolve(EmbeddedPostgresServer.BINARIES_DIR);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(binaries))).as("binaries directory").isEqualTo("rwx------");
        try (Stream<Path> tree = Files.walk(binaries)) {
            List<String> writable = tree.filter(p -> !Files.isSymbolicLink(p)).filter(p -> {
                try {
                    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
                    perms.retainAll(GROUP_OTHER_WRITE);
                    return !perms.isEmpty();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).map(Path::toString).toList();
            assertThat(writable).as("group/other-writable files among the binaries").isEmpty();
        }
    }

    /** The program running as the server is the one unpacked in the data directory, not one in the shared temp dir. */
    private static void assertServerRunsFromTheDataDirectory(Path dataDir) throws IOException {
        long pid = Long.parseLong(Files.readAllLines(dataDir.resolve("postgres").resolve("postmaster.pid")).get(0).strip());
        Path exe = Path.of("/proc", Long.toString(pid), "exe").toRealPath();
        // inside the data directory's own binaries directory (zonky's default would be <java.io.tmpdir>/embedded-pg);
        // no check against the temp dir's path itself: a checkout may well live below /tmp
        assertThat(exe).startsWith(dataDir.resolve(EmbeddedPostgresServer.BINARIES_DIR).toRealPath());
    }

    @Test
    void aNewServerTakesOnlyItsOwnPasswordOn127001() throws Exception {
        Path dataDir = newDataDir("fresh");
        EmbeddedPostgresServer.Started started = start(dataDir);
        int port = started.port();
        String password = Files.readString(dataDir.resolve("postgres-password")).strip();

        assertThat(started.opened()).isEqualTo(EmbeddedPostgresServer.Opened.CREATED);
        assertThat(password).isEqualTo(started.password()).hasSizeGreaterThanOrEqualTo(32);
        assertThat(query(port, password, "select 1")).isEqualTo("1");
        assertRefusedWithoutThePassword(port);
        assertOnlyScramInHba(port, password, started.cluster());
        assertThat(query(port, password, "show listen_addresses")).isEqualTo("127.0.0.1");
        assertThat(query(port, password, "show unix_socket_directories")).as("no Unix socket in the shared /tmp").isEmpty();
        assertThat(query(port, password, "select rolpassword like 'SCRAM-SHA-256$%' from pg_authid where rolname = 'postgres'"))
                .isEqualTo("t");
        assertOwnerOnly(dataDir, started.passwordFile());
        assertServerRunsFromTheDataDirectory(dataDir);

        // a restart reopens the cluster with the kept password
        started.server().close();
        EmbeddedPostgresServer.Started again = start(dataDir);
        assertThat(again.opened()).isEqualTo(EmbeddedPostgresServer.Opened.REOPENED);
        assertThat(query(again.port(), password, "select 1")).isEqualTo("1");
        assertRefusedWithoutThePassword(again.port());
    }

    @Test
    void aDataDirectoryOfThePreviousVersionIsUpgradedInPlaceWithItsData() throws Exception {
        Path dataDir = newDataDir("old");
        Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        // exactly what the previous version did: zonky's defaults (initdb -A trust), no password file
        try (EmbeddedPostgres old = EmbeddedPostgres.builder().setDataDirectory(dataDir.resolve("postgres").toFile())
                .setCleanDataDirectory(false).setServerConfig("max_connections", "200").setRegisterShutdownHook(false).start();
                Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + old.getPort() + "/postgres", "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("create table kept (v text)");
            s.execute("insert into kept values ('written by the previous version')");
        }
        assertThat(Files.readString(dataDir.resolve("postgres").resolve("pg_hba.conf"))).as("the old cluster trusts").contains("trust");
        assertThat(dataDir.resolve("postgres-password")).doesNotExist();

        EmbeddedPostgresServer.Started started = start(dataDir);
        assertThat(started.opened()).isEqualTo(EmbeddedPostgresServer.Opened.UPGRADED);
        String password = Files.readString(dataDir.resolve("postgres-password")).strip();
        assertThat(password).isEqualTo(started.password());
        assertThat(query(started.port(), password, "select v from kept")).isEqualTo("written by the previous version");
        assertRefusedWithoutThePassword(started.port());
        assertOnlyScramInHba(started.port(), password, started.cluster());
        assertOwnerOnly(dataDir, started.passwordFile());

        // the upgrade is done once: the next start reopens with the same password
        started.server().close();
        EmbeddedPostgresServer.Started again = start(dataDir);
        assertThat(again.opened()).isEqualTo(EmbeddedPostgresServer.Opened.REOPENED);
        assertThat(query(again.port(), password, "select v from kept")).isEqualTo("written by the previous version");
    }

    @Test
    void theScramVerifierIsWhatPostgreSqlComputesForThePassword() throws Exception {
        // PostgreSQL checks a login against the stored verifier: a verifier we computed wrongly would lock us out
        Path dataDir = newDataDir("verifier");
        EmbeddedPostgresServer.Started started = start(dataDir);
        try (Connection c = connect(started.port(), started.password()); Statement s = c.createStatement()) {
            s.execute("create role probe login password '" + EmbeddedPostgresServer.scramVerifier("probe-password-1") + "'");
        }
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + started.port() + "/postgres", "probe",
                "probe-password-1")) {
            assertThat(c.isValid(2)).isTrue();
        }
        assertThatThrownBy(() -> DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + started.port() + "/postgres",
                "probe", "probe-password-2").close()).hasMessageContaining("password authentication failed");
    }

    @Test
    void aPasswordFileThatDoesNotMatchSaysHowToResetAndDeletingItSetsANewPassword() throws Exception {
        Path dataDir = newDataDir("mismatch");
        EmbeddedPostgresServer.Started first = start(dataDir);
        first.server().close();
        Path passwordFile = dataDir.resolve("postgres-password");
        Files.writeString(passwordFile, "not-the-password");

        assertThatThrownBy(() -> start(dataDir)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("The password in " + passwordFile + " does not open the database")
                .hasMessageContaining("Delete " + passwordFile + " and start again");
        assertThat(dataDir.resolve("postgres").resolve("postmaster.pid")).as("the refused server was stopped").doesNotExist();
        // (zonky keeps its lock on that cluster until this JVM ends, so the reset is tried on another one below)
    }

    @Test
    void deletingThePasswordFileSetsANewPassword() throws Exception {
        Path dataDir = newDataDir("reset");
        EmbeddedPostgresServer.Started first = start(dataDir);
        first.server().close();
        Path passwordFile = dataDir.resolve("postgres-password");
        Files.delete(passwordFile);

        EmbeddedPostgresServer.Started reset = start(dataDir);
        assertThat(reset.opened()).isEqualTo(EmbeddedPostgresServer.Opened.UPGRADED);
        assertThat(reset.password()).isNotEqualTo(first.password()).isEqualTo(Files.readString(passwordFile));
        assertThat(query(reset.port(), reset.password(), "select 1")).isEqualTo("1");
        assertThatThrownBy(() -> connect(reset.port(), first.password()).close()).hasMessageContaining("password authentication failed");
        assertRefusedWithoutThePassword(reset.port());
    }
}
