package io.twofa.crypto;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A directory of key files named {@code <kid>.<extension>}: several keys for rotation, one of them current.
 * Shared by the token signing keys and the secret-encryption keys.
 */
public final class KeyDirectory {

    /** The files' contents by key id, and the id that protects new data. */
    public record Contents(Map<String, String> byId, String currentId) {
    }

    private KeyDirectory() {
    }

    /**
     * Reads every {@code *.extension} file. With none and {@code mayGenerate}, writes one new key (owner-only
     * permissions) first; with none otherwise, fails with a message that names the setting to fix.
     */
    public static Contents load(Optional<Path> dir, String extension, Optional<String> currentId, boolean mayGenerate,
            Supplier<String> generator, String setting) {
        if (dir.isEmpty()) {
            throw new IllegalStateException(setting + " is not set: name a directory of keys (" + "<kid>." + extension
                    + "). Keys are only generated automatically with the embedded default database; see README, Configuration.");
        }
        Path directory = dir.get();
        try {
            TreeMap<String, String> keys = read(directory, extension);
            if (keys.isEmpty() && mayGenerate) {
                Files.createDirectories(directory);
                String kid = LocalDate.now(ZoneOffset.UTC).toString().replace("-", "") + "-"
                        + HexFormat.of().formatHex(Base32Secret.generate(), 0, 4);
                Path file = directory.resolve(kid + "." + extension);
                Files.writeString(file, generator.get());
                restrictToOwner(file);
                keys = read(directory, extension);
            }
            if (keys.isEmpty()) {
                throw new IllegalStateException("No keys (*." + extension + ") in " + directory + " named by " + setting
                        + ". Create one as described in README, Configuration.");
            }
            // without a choice the last id in name order signs: generated ids start with their date
            String current = currentId.isPresent() ? currentId.get() : keys.lastKey();
            if (!keys.containsKey(current)) {
                throw new IllegalStateException("The current key id '" + current + "' has no file " + current + "." + extension
                        + " in " + directory);
            }
            return new Contents(keys, current);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read keys in " + directory, e);
        }
    }

    private static TreeMap<String, String> read(Path directory, String extension) throws IOException {
        TreeMap<String, String> keys = new TreeMap<>();
        if (!Files.isDirectory(directory)) {
            return keys;
        }
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                if (name.endsWith("." + extension)) {
                    keys.put(name.substring(0, name.length() - extension.length() - 1), Files.readString(file).trim());
                }
            }
        }
        return keys;
    }

    private static void restrictToOwner(Path file) {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system: the directory's own permissions apply
        }
    }
}
