package io.twofa.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.twofa.account.BootstrapAdmin;
import io.twofa.support.Api;

/**
 * First start without TWOFA_BOOTSTRAP_ADMIN_PASSWORD, on an empty database (issue 21 part 4): the generated admin
 * password goes to an owner-only file in the data directory, and nowhere in the log, even at TRACE.
 */
@QuarkusTest
@TestProfile(BootstrapPasswordFileTest.NoBootstrapPassword.class)
@Tag("slow")
class BootstrapPasswordFileTest {

    /** Its own directory per test JVM, so the file can only come from this start. */
    static final Path DIR = Path.of("target", "bootstrap-first-start", Long.toString(ProcessHandle.current().pid()))
            .toAbsolutePath();
    static final Path LOG = DIR.resolve("first-start.log");

    public static class NoBootstrapPassword implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Files.createDirectories(DIR);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Map.ofEntries(
                    // unset (an empty value is no value), over the test profile's fixed password
                    Map.entry("twofa.bootstrap.admin-password", ""),
                    Map.entry("%test.twofa.bootstrap.admin-password", ""),
                    Map.entry("twofa.data-dir", DIR.resolve("data").toString()),
                    Map.entry("quarkus.log.min-level", "TRACE"),
                    Map.entry("quarkus.log.category.\"io.twofa\".level", "TRACE"),
                    Map.entry("quarkus.log.category.\"org.hibernate.orm.jdbc.bind\".level", "TRACE"),
                    Map.entry("quarkus.hibernate-orm.log.bind-parameters", "true"),
                    Map.entry("quarkus.log.file.enabled", "true"),
                    Map.entry("quarkus.log.file.level", "TRACE"),
                    Map.entry("quarkus.log.file.path", LOG.toString()));
        }
    }

    @Test
    void theGeneratedAdminPasswordIsInAnOwnerOnlyFileAndNotInTheLog() throws Exception {
        Path file = DIR.resolve("data").resolve(BootstrapAdmin.PASSWORD_FILE);
        assertThat(file).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        String password = Files.readString(file);
        assertThat(password).hasSizeGreaterThanOrEqualTo(20).doesNotContainAnyWhitespaces();

        // the file holds the password that logs in
        String token = Api.json().body(Map.of("login", "admin", "password", password, "client", "web"))
                .post("/api/v1/auth/login").then().statusCode(200).extract().path("access_token");
        assertThat(token).isNotBlank();
        Api.json().body(Map.of("login", "admin", "password", Api.ADMIN_PASSWORD, "client", "web"))
                .post("/api/v1/auth/login").then().statusCode(401);

        Thread.sleep(500); // let the file handler flush
        String log = Files.readString(LOG);
        assertThat(log).as("the start was logged at TRACE").contains("TRACE")
                .contains("Created account 'admin' with a generated password, written to " + file);
        assertThat(log).as("the admin password").doesNotContain(password);
        String dbPassword = ConfigProvider.getConfig().getValue("quarkus.datasource.password", String.class);
        assertThat(log).as("the embedded database's password").doesNotContain(dbPassword);
        // no leftover of the not-yet-published file
        try (var files = Files.list(file.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("." + BootstrapAdmin.PASSWORD_FILE));
        }
    }
}
