package io.twofa.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainTest;

/**
 * No bootstrap password configured, and the generated one cannot be written (issue 21 part 4): the service creates no
 * admin whose password no one could know, and says how to set one.
 */
@QuarkusMainTest
@TestProfile(BootstrapPasswordUnwritableTest.Unwritable.class)
@Tag("slow")
class BootstrapPasswordUnwritableTest {

    static final Path DATA = StartRefusals.dir("bootstrap-unwritable").resolve("data");
    static final Path FILE = DATA.resolve("bootstrap-admin-password");

    public static class Unwritable implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                // a non-empty directory where the file should go: the last step, renaming the written file into
                // place inside the admin's transaction, fails
                Files.createDirectories(FILE);
                Files.writeString(FILE.resolve("in-the-way"), "x");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Map.of("twofa.bootstrap.admin-password", "",
                    "%test.twofa.bootstrap.admin-password", "",
                    "twofa.data-dir", DATA.toString());
        }
    }

    @Test
    @Launch(value = {}, exitCode = 1)
    void theStartFailsWithoutAnAdminAndSaysHowToSetThePassword(LaunchResult result) throws Exception {
        String output = result.getOutput() + result.getErrorOutput();
        assertThat(output).contains("No admin account was created: its generated password cannot be written to " + FILE)
                .contains("Set TWOFA_BOOTSTRAP_ADMIN_PASSWORD");
        assertThat(StartRefusals.count("select count(*) from account")).as("the admin's insert was rolled back").isZero();
        try (var left = Files.list(DATA)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".bootstrap-admin-password"));
        }
    }
}
