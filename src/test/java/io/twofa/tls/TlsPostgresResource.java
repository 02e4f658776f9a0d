package io.twofa.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.twofa.crypto.KeyDirectory;
import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;

/**
 * A PostgreSQL server that requires TLS, as a production database should: a certificate for {@code localhost}
 * signed by a CA made for this run, pg_hba.conf accepting only {@code hostssl} password logins and rejecting every
 * connection without TLS. The service is pointed at it with {@code verify-full} for both of its clients.
 */
public class TlsPostgresResource implements QuarkusTestResourceLifecycleManager {

    static final String HBA = """
            hostssl    all   all   127.0.0.1/32   scram-sha-256
            hostnossl  all   all   0.0.0.0/0      reject
            local      all   all                  reject
            """;
    private static final Path BINARIES = Path.of("target", "tls-postgres", "binaries").toAbsolutePath();
    /** One object for all starts: zonky caches unpacked binaries per resolver object. */
    private static final PgBinaryResolver RESOLVER = (system, hardware) -> DefaultPostgresBinaryResolver.INSTANCE
            .getPgBinary(system, hardware);
    /** Shared with the test class (same class loader as the resource: both are test classes). */
    static volatile Path dir;
    static volatile String password;
    static volatile int port;
    private EmbeddedPostgres server;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "tls-postgres")), "run-").toAbsolutePath();
            Files.createDirectories(BINARIES);
            TestCertificates.Authority ca = TestCertificates.authority("twofa test CA");
            TestCertificates.writePem(ca(), "CERTIFICATE", ca.certificate().getEncoded());
            TestCertificates.server(ca, "localhost", dir, "server");
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            Path passwordFile = dir.resolve("password");
            KeyDirectory.writeNewOwnerOnly(passwordFile, password);
            server = EmbeddedPostgres.builder()
                    .setDataDirectory(dir.resolve("data"))
                    .setCleanDataDirectory(false)
                    // binaries under target/, not zonky's world-writable directory in the shared /tmp
                    .setOverrideWorkingDirectory(BINARIES.toFile())
                    .setPgBinaryResolver(RESOLVER)
                    .setLocaleConfig("auth", "scram-sha-256")
                    .setLocaleConfig("pwfile", passwordFile.toString())
                    .setServerConfig("ssl", "on")
                    .setServerConfig("ssl_cert_file", dir.resolve("server.pem").toString())
                    .setServerConfig("ssl_key_file", dir.resolve("server.key").toString())
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("unix_socket_directories", "")
                    .setServerConfig("max_connections", "100")
                    // zonky's readiness check connects as a client must: TLS, checked against the test CA
                    .setConnectConfig("password", password)
                    .setConnectConfig("sslmode", "verify-full")
                    .setConnectConfig("sslrootcert", ca().toString())
                    .setDataDirectoryCustomizer(data -> {
                        try {
                            Files.writeString(data.toPath().resolve("pg_hba.conf"), HBA);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    })
                    .setRegisterShutdownHook(true)
                    .start();
            port = server.getPort();
            // zonky leaves its working directory writable by everyone
            Files.setPosixFilePermissions(BINARIES, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        } catch (Exception e) {
            throw new IllegalStateException("could not start the PostgreSQL with TLS", e);
        }
        Map<String, String> config = new HashMap<>();
        // the host name the certificate names: verify-full checks it
        config.put("quarkus.datasource.reactive.url", "postgresql://localhost:" + port + "/postgres");
        config.put("quarkus.datasource.reactive.postgresql.ssl-mode", "verify-full");
        config.put("quarkus.datasource.reactive.hostname-verification-algorithm", "HTTPS");
        config.put("quarkus.datasource.reactive.trust-certificate-pem.enabled", "true");
        config.put("quarkus.datasource.reactive.trust-certificate-pem.certs", ca().toString());
        config.put("quarkus.datasource.jdbc.url", "jdbc:postgresql://localhost:" + port + "/postgres?sslmode=verify-full&sslrootcert="
                + ca());
        config.put("quarkus.datasource.username", "postgres");
        config.put("quarkus.datasource.password", password);
        return config;
    }

    static Path ca() {
        return dir.resolve("ca.pem");
    }

    @Override
    public void stop() {
        try {
            if (server != null) {
                server.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // best effort: target/ is cleaned by the build anyway
            }
        }
    }
}
