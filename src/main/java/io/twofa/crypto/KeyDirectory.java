package io.twofa.crypto;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
                createOwnerOnlyDirectories(directory);
                String kid = LocalDate.now(ZoneOffset.UTC).toString().replace("-", "") + "-"
                        + HexFormat.of().formatHex(Base32Secret.generate(), 0, 4);
                writeNewOwnerOnly(directory.resolve(kid + "." + extension), generator.get());
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

    /**
     * The {@code *.extension} files in the directory now, by key id, with the same owner-only checks as at start-up:
     * for a service that picks up added and removed keys while it runs.
     */
    public static Map<String, String> scan(Path directory, String extension) throws IOException {
        return read(directory, extension);
    }

    private static TreeMap<String, String> read(Path directory, String extension) throws IOException {
        TreeMap<String, String> keys = new TreeMap<>();
        if (!Files.isDirectory(directory)) {
            return keys;
        }
        refuseWritableByOthers(directory);
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                if (name.endsWith("." + extension)) {
                    refuseReadableByOthers(file);
                    keys.put(name.substring(0, name.length() - extension.length() - 1), Files.readString(file).trim());
                }
            }
        }
        return keys;
    }

    /** Owner-only permissions of new directories and secret files. */
    private static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    /** Creates the directory and any missing parents owner-only (0700); existing ones are left as they are. */
    public static void createOwnerOnlyDirectories(Path directory) throws IOException {
        if (POSIX) {
            Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(DIRECTORY));
        } else {
            Files.createDirectories(directory);
        }
    }

    /**
     * Writes a new file that is owner-only (0600) from its creation: the mode is given to open(2), so no other
     * user can open it between creation and a chmod. Fails if anything (a file, a planted symlink) is in the way.
     */
    public static void writeNewOwnerOnly(Path file, String content) throws IOException {
        Set<StandardOpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try (var channel = POSIX ? Files.newByteChannel(file, options, PosixFilePermissions.asFileAttribute(FILE))
                : Files.newByteChannel(file, options)) {
            var bytes = java.nio.ByteBuffer.wrap(content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        }
    }

    /**
     * Replaces {@code file} with an owner-only file holding {@code content}: written next to it under a random
     * name ({@link #writeNewOwnerOnly}), then renamed over it, so that readers see the old or the new content.
     */
    public static void replaceOwnerOnly(Path file, String content) throws IOException {
        Path temp = file.resolveSibling("." + file.getFileName() + "." + HexFormat.of().formatHex(Base32Secret.generate(), 0, 6));
        try {
            writeNewOwnerOnly(temp, content);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Whoever may write into a key directory may add a key that the service then trusts. */
    static void refuseWritableByOthers(Path directory) throws IOException {
        if (!POSIX) {
            return;
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(directory);
        boolean writable = perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE);
        // a read-only mount (a Kubernetes Secret volume shows its mount point as rwxrwxrwt) cannot be written by anyone
        if (writable && !Files.getFileStore(directory).isReadOnly()) {
            throw new IllegalStateException("Key directory " + directory + " is writable by group or others ("
                    + PosixFilePermissions.toString(perms) + "): whoever can write there can add a key. Restrict it to the "
                    + "service's user (chmod 700 " + directory + ") and start again.");
        }
    }

    /** A key file that others can read gives them the key: refuse to start rather than keep using it. */
    static void refuseReadableByOthers(Path file) throws IOException {
        if (!POSIX) {
            return;
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        if (!ownerOnly(perms, ownedByProcessUser(file))) {
            throw new IllegalStateException("Key file " + file + " can be read or changed by group or others ("
                    + PosixFilePermissions.toString(perms) + "). Restrict it to the service's user (chmod 600 " + file
                    + ") and start again.");
        }
    }

    /**
     * PostgreSQL's rule for its TLS key: a file of the service's own user must have no group or other bits; a file
     * of another user (root, in a Kubernetes Secret volume with fsGroup) may be read by the group, since that is
     * then the only way the service can read it. Others get nothing, and the group never more than read.
     */
    static boolean ownerOnly(Set<PosixFilePermission> perms, boolean ownedByProcessUser) {
        boolean others = perms.contains(PosixFilePermission.OTHERS_READ) || perms.contains(PosixFilePermission.OTHERS_WRITE)
                || perms.contains(PosixFilePermission.OTHERS_EXECUTE);
        boolean groupBeyondRead = perms.contains(PosixFilePermission.GROUP_WRITE)
                || perms.contains(PosixFilePermission.GROUP_EXECUTE);
        boolean groupRead = perms.contains(PosixFilePermission.GROUP_READ);
        return !others && !groupBeyondRead && (!groupRead || !ownedByProcessUser);
    }

    private static boolean ownedByProcessUser(Path file) throws IOException {
        try {
            // /proc/self belongs to the process's effective user (Linux)
            return Files.getAttribute(file, "unix:uid").equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
            return Files.getOwner(file).getName().equals(System.getProperty("user.name"));
        }
    }
}
