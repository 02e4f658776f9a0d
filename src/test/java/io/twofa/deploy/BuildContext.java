package io.twofa.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The build context of {@code docker build -f src/main/docker/Dockerfile .}: the project directory after .dockerignore. */
final class BuildContext {

    static final Path PROJECT = Path.of("").toAbsolutePath();
    static final Path DOCKERFILE = PROJECT.resolve("src/main/docker/Dockerfile");
    static final Path DOCKERIGNORE = PROJECT.resolve(".dockerignore");

    private BuildContext() {
    }

    static DockerIgnore ignore() {
        return DockerIgnore.read(DOCKERIGNORE);
    }

    /** Context-relative path of a file in the project. */
    static String relative(Path file) {
        return PROJECT.relativize(file.toAbsolutePath()).toString().replace('\\', '/');
    }

    /** Every file the builder would receive, walked as the builder walks it (excluded directories skipped). */
    static List<String> files() throws IOException {
        DockerIgnore ignore = ignore();
        List<String> files = new ArrayList<>();
        Files.walkFileTree(PROJECT, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                if (dir.equals(PROJECT)) {
                    return FileVisitResult.CONTINUE;
                }
                String rel = relative(dir);
                return ignore.excludes(rel) && !ignore.mayReincludeBelow(rel) ? FileVisitResult.SKIP_SUBTREE
                        : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                String rel = relative(file);
                if (!ignore.excludes(rel)) {
                    files.add(rel);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        files.sort(Comparator.naturalOrder());
        return files;
    }

    /** A copy of the build context in {@code target}, with the files' modes (mvnw stays executable). */
    static void copyTo(Path target) throws IOException {
        for (String rel : files()) {
            Path to = target.resolve(rel);
            Files.createDirectories(to.getParent());
            Files.copy(PROJECT.resolve(rel), to, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        }
    }

    /**
     * The files git tracks, i.e. what a clean checkout contains; empty when this is no git work tree (a source
     * archive) or git is not installed.
     */
    static Optional<List<String>> trackedFiles() {
        try {
            Process git = new ProcessBuilder("git", "ls-files", "-z").directory(PROJECT.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out = git.getInputStream().readAllBytes();
            if (!git.waitFor(60, TimeUnit.SECONDS) || git.exitValue() != 0) {
                return Optional.empty();
            }
            return Optional.of(Arrays.stream(new String(out, StandardCharsets.UTF_8).split("\0"))
                    .filter(s -> !s.isEmpty()).toList());
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
