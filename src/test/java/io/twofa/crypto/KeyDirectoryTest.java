package io.twofa.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Optional;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Owner-only key directories and key files (issue 13 part 4), on the real file system. */
class KeyDirectoryTest {

    @TempDir
    Path tmp;

    private static KeyDirectory.Contents load(Path dir, boolean mayGenerate) {
        return KeyDirectory.load(Optional.of(dir), "key", Optional.empty(), mayGenerate, () -> "a-key-value", "twofa.test.keys-dir");
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private static Path keyFile(Path dir, String name, String mode) throws IOException {
        Files.createDirectories(dir);
        Path file = Files.writeString(dir.resolve(name), "a-key-value");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }

    @Test
    void generatedKeysAndTheirDirectoriesAreOwnerOnly() throws IOException {
        Path data = tmp.resolve("data");
        Path dir = data.resolve("keys").resolve("secrets");

        KeyDirectory.Contents contents = load(dir, true);

        assertThat(contents.byId()).hasSize(1).containsValue("a-key-value");
        Path file = dir.resolve(contents.currentId() + ".key");
        assertThat(mode(file)).isEqualTo("rw-------");
        // every directory the service had to create, ./data included
        assertThat(mode(dir)).isEqualTo("rwx------");
        assertThat(mode(data.resolve("keys"))).isEqualTo("rwx------");
        assertThat(mode(data)).isEqualTo("rwx------");
    }

    @Test
    void aNewSecretFileIsOwnerOnlyFromItsCreationAndNeverOverwritesWhatIsThere() throws IOException {
        Path file = tmp.resolve("secret");
        KeyDirectory.writeNewOwnerOnly(file, "s3cret");
        assertThat(mode(file)).isEqualTo("rw-------");
        assertThat(Files.readString(file)).isEqualTo("s3cret");

        // a symlink planted where a secret is about to be written is not followed
        Path elsewhere = tmp.resolve("elsewhere");
        Path planted = Files.createSymbolicLink(tmp.resolve("planted"), elsewhere);
        assertThatThrownBy(() -> KeyDirectory.writeNewOwnerOnly(planted, "s3cret"))
                .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
        assertThat(elsewhere).doesNotExist();

        KeyDirectory.replaceOwnerOnly(file, "replaced");
        assertThat(Files.readString(file)).isEqualTo("replaced");
        assertThat(mode(file)).isEqualTo("rw-------");
        try (var left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("secret", "planted");
        }
    }

    @Test
    void aKeyFileReadableByGroupOrOthersStopsTheStartNamingTheFile() throws IOException {
        Path dir = tmp.resolve("keys");
        keyFile(dir, "2026-good.key", "rw-------");
        for (String loose : new String[] {"rw-r--r--", "rw-r-----", "rw----r--", "rw-----w-", "rw--w----"}) {
            Path file = keyFile(dir, "2026-loose.key", loose);
            assertThatThrownBy(() -> load(dir, false)).as(loose)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Key file " + file)
                    .hasMessageContaining("(" + loose + ")")
                    .hasMessageContaining("chmod 600 " + file);
            // nothing is generated in place of a key that was refused
            assertThatThrownBy(() -> load(dir, true)).as(loose).isInstanceOf(IllegalStateException.class);
        }
        Files.setPosixFilePermissions(dir.resolve("2026-loose.key"), PosixFilePermissions.fromString("r--------"));
        assertThat(load(dir, false).byId()).containsOnlyKeys("2026-good", "2026-loose");
    }

    @Test
    void aKeyDirectoryWritableByGroupOrOthersStopsTheStart() throws IOException {
        Path dir = tmp.resolve("keys");
        keyFile(dir, "2026-good.key", "rw-------");
        for (String loose : new String[] {"rwxrwxrwx", "rwxrwxr-x", "rwxr-x-wx"}) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(loose));
            assertThatThrownBy(() -> load(dir, false)).as(loose)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Key directory " + dir)
                    .hasMessageContaining("writable by group or others (" + loose + ")");
        }
        // readable is fine: the files themselves are owner-only
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(load(dir, false).byId()).containsOnlyKeys("2026-good");
    }

    @Test
    void aKeyFileOfAnotherUserMayBeReadThroughTheGroup() throws IOException {
        // a Kubernetes Secret volume with fsGroup: root's files, group-readable, the service in that group
        assertThat(KeyDirectory.ownerOnly(PosixFilePermissions.fromString("r--r-----"), false)).isTrue();
        assertThat(KeyDirectory.ownerOnly(PosixFilePermissions.fromString("r--r-----"), true)).isFalse();
        assertThat(KeyDirectory.ownerOnly(PosixFilePermissions.fromString("r--r--r--"), false)).isFalse();
        assertThat(KeyDirectory.ownerOnly(PosixFilePermissions.fromString("rw-rw----"), false)).isFalse();
        assertThat(KeyDirectory.ownerOnly(PosixFilePermissions.fromString("rw-------"), true)).isTrue();

        // and on the file system, where this test may change a file's owner (as root)
        Path dir = tmp.resolve("keys");
        Path file = keyFile(dir, "2026-other.key", "rw-r-----");
        UserPrincipal other;
        try {
            other = tmp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
            Files.setOwner(file, other);
        } catch (IOException | UnsupportedOperationException e) {
            Assumptions.abort("cannot give a file to another user here: " + e);
            return;
        }
        assertThat(load(dir, false).byId()).containsOnlyKeys("2026-other");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> load(dir, false)).hasMessageContaining("Key file " + file);
    }
}
