package io.twofa.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainTest;
import io.twofa.crypto.SecretCipher;
import io.twofa.token.SigningKeys;

/** A signing key file that others can read stops the service's start, with a message naming the file (issue 13 part 4). */
@QuarkusMainTest
@TestProfile(LooseKeyFileRefusedTest.LooseKey.class)
@Tag("slow")
class LooseKeyFileRefusedTest {

    static final Path KEYS = StartRefusals.dir("loose-key");
    static final Path LOOSE = KEYS.resolve("signing").resolve("2026-loose.pem");

    public static class LooseKey implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Files.createDirectories(LOOSE.getParent());
                Files.createDirectories(KEYS.resolve("secrets"));
                if (!Files.exists(LOOSE)) {
                    Files.writeString(LOOSE, SigningKeys.newKeyPem());
                    Path secret = Files.writeString(KEYS.resolve("secrets").resolve("2026-fine.key"), SecretCipher.newKeyBase64());
                    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
                }
                // as a careless copy or an umask of 022 leaves it
                Files.setPosixFilePermissions(LOOSE, PosixFilePermissions.fromString("rw-r--r--"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Map.of("twofa.token.keys-dir", LOOSE.getParent().toString(),
                    "twofa.crypto.keys-dir", KEYS.resolve("secrets").toString());
        }
    }

    @Test
    @Launch(value = {}, exitCode = 1)
    void theStartFailsNamingTheFile(LaunchResult result) {
        assertThat(result.getOutput() + result.getErrorOutput())
                .contains("Key file " + LOOSE + " can be read or changed by group or others (rw-r--r--)")
                .contains("chmod 600 " + LOOSE);
    }
}
