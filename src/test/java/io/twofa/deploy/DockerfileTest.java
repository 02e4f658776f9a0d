package io.twofa.deploy;

import io.twofa.support.docker.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.twofa.support.docker.Dockerfile.Copy;
import io.twofa.support.docker.Dockerfile.Instruction;
import io.twofa.support.docker.Dockerfile.Stage;

/**
 * What can be checked of the image without a container runtime (none exists where the tests run): the stages of
 * src/main/docker/Dockerfile, that every file it copies from the build context is in a clean checkout and gets past
 * .dockerignore, its user, ports and health check against the configuration, what .dockerignore keeps out, and
 * hadolint's rules (hadolint itself is not installable here). {@link DockerBuilderStageTest} runs the builder stage.
 */
class DockerfileTest {

    private static final Pattern NUMERIC_USER = Pattern.compile("(\\d+)(?::(\\d+))?");
    private static Dockerfile dockerfile;
    private static DockerIgnore ignore;
    private static Properties config;

    @BeforeAll
    static void read() throws IOException {
        dockerfile = Dockerfile.read(BuildContext.DOCKERFILE);
        ignore = BuildContext.ignore();
        config = new Properties();
        try (Reader in = Files.newBufferedReader(BuildContext.PROJECT.resolve("src/main/resources/application.properties"))) {
            config.load(in);
        }
    }

    @Test
    void oneDockerfileWithTheDockerignoreAtTheContextRoot() {
        assertThat(BuildContext.DOCKERFILE).isRegularFile();
        assertThat(BuildContext.DOCKERFILE.resolveSibling("Dockerfile.jvm")).as("replaced by the multi-stage build")
                .doesNotExist();
        // BuildKit would read <Dockerfile>.dockerignore next to the Dockerfile instead of the one at the root
        assertThat(BuildContext.DOCKERFILE.resolveSibling("Dockerfile.dockerignore")).doesNotExist();
        assertThat(BuildContext.DOCKERIGNORE).isRegularFile();
    }

    @Test
    void aBuilderStageBuildsFromSourceAndASmallRuntimeStageRunsIt() {
        assertThat(dockerfile.stages).hasSize(2);
        Stage builder = dockerfile.stages.get(0);
        Stage runtime = dockerfile.finalStage();
        assertThat(builder.name()).as("the builder is named, for COPY --from").isPresent();
        assertThat(builder.image()).contains("jdk").contains(":17");
        assertThat(runtime.image()).containsAnyOf("jre", "runtime").contains("17");
        assertThat(runtime.all("RUN")).as("the runtime stage builds nothing").isEmpty();

        List<Instruction> steps = builder.instructions();
        int pom = indexOf(steps, i -> i.keyword().equals("COPY") && i.words().values().contains("pom.xml"));
        int resolve = indexOf(steps, i -> i.keyword().equals("RUN") && i.arguments().contains("./mvnw"));
        int sources = indexOf(steps, i -> i.keyword().equals("COPY") && i.words().values().get(0).startsWith("src"));
        int build = lastIndexOf(steps, i -> i.keyword().equals("RUN") && i.arguments().contains("./mvnw"));
        assertThat(pom).as("pom.xml copied").isNotNegative();
        assertThat(resolve).as("dependencies resolved in their own layer, before the sources come in")
                .isGreaterThan(pom).isLessThan(sources);
        assertThat(build).as("then the build").isGreaterThan(sources);
        assertThat(steps.get(build).arguments()).contains("./mvnw -B").contains("package").contains("-Dmaven.test.skip=true");
    }

    @Test
    void everyCopyFromTheContextExistsAndGetsPastDockerignore() throws IOException {
        List<String> context = BuildContext.files();
        List<Copy> fromContext = contextCopies();
        assertThat(fromContext).isNotEmpty();
        for (Copy copy : fromContext) {
            for (String source : copy.sources()) {
                String path = normalize(source);
                assertThat(BuildContext.PROJECT.resolve(path)).as("%s", copy.instruction()).exists();
                assertThat(ignore.excludes(path)).as("%s: %s is kept out by .dockerignore", copy.instruction(), path)
                        .isFalse();
                assertThat(context).as("%s: the context holds %s", copy.instruction(), path)
                        .anyMatch(f -> f.equals(path) || f.startsWith(path + "/"));
            }
        }
        assertThat(context).as("the builder gets what it needs")
                .contains("pom.xml", "mvnw", ".mvn/wrapper/maven-wrapper.properties", "openapi.yaml",
                        "src/main/resources/application.properties")
                .noneMatch(f -> f.startsWith("target/") || f.startsWith("data/") || f.startsWith(".git/"));
    }

    @Test
    void aCleanCheckoutHoldsEverythingTheBuilderCopiesAndDockerignoreKeepsAllOfIt() {
        Optional<List<String>> tracked = BuildContext.trackedFiles();
        Assumptions.assumeTrue(tracked.isPresent(), "not a git work tree");
        for (Copy copy : contextCopies()) {
            for (String source : copy.sources()) {
                String path = normalize(source);
                List<String> under = tracked.get().stream().filter(f -> f.equals(path) || f.startsWith(path + "/")).toList();
                assertThat(under).as("%s: %s is in a clean checkout (tracked by git)", copy.instruction(), path).isNotEmpty();
                assertThat(under.stream().filter(ignore::excludes).toList())
                        .as("tracked files of %s that .dockerignore would keep from the builder", path).isEmpty();
            }
        }
    }

    @Test
    void theRuntimeStageCopiesTheQuarkusAppLayoutFromTheBuilder() {
        Stage builder = dockerfile.stages.get(0);
        String workdir = builder.all("WORKDIR").get(builder.all("WORKDIR").size() - 1).arguments();
        String app = workdir + "/target/quarkus-app/";
        List<Copy> fromBuilder = dockerfile.finalStage().copies().stream().filter(c -> c.from().isPresent()).toList();
        for (Copy copy : fromBuilder) {
            assertThat(copy.from()).as("%s", copy.instruction()).contains(builder.name().orElseThrow());
            assertThat(copy.instruction().words().flags().get("chown")).as("%s: owned by the runtime user",
                    copy.instruction()).startsWith(runtimeUid() + ":");
        }
        Set<String> layout = fromBuilder.stream().flatMap(c -> c.sources().stream())
                .filter(s -> s.startsWith(app)).map(s -> s.substring(app.length())).collect(Collectors.toSet());
        assertThat(layout).contains("lib/", "app/", "quarkus/").containsAnyOf("*.jar", "quarkus-run.jar");
        Copy jars = fromBuilder.stream().filter(c -> c.sources().contains(app + "*.jar")
                || c.sources().contains(app + "quarkus-run.jar")).findFirst().orElseThrow();
        assertThat(jars.destination()).isEqualTo("/deployments/");
        assertThat(dockerfile.finalStage().env("JAVA_APP_JAR")).contains("/deployments/quarkus-run.jar");
    }

    @Test
    void theRuntimeStartsJavaWithTheOneJvmOptionsFile() throws IOException {
        Stage runtime = dockerfile.finalStage();
        Copy options = runtime.copies().stream().filter(c -> c.destination().equals("/deployments/jvm.options"))
                .findFirst().orElseThrow();
        assertThat(options.sources()).containsExactly("/build/src/main/jvm/jvm.options");
        assertThat(runtime.env("JAVA_OPTS_APPEND").orElseThrow()).startsWith("@/deployments/jvm.options");
        // run-java.sh adds a GC of its own; two different collectors would stop the JVM from starting
        List<String> flags = Files.readAllLines(BuildContext.PROJECT.resolve("src/main/jvm/jvm.options")).stream()
                .map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        List<String> gcs = flags.stream().filter(f -> f.matches("-XX:\\+Use\\w+GC")).toList();
        assertThat(gcs).hasSize(1);
        assertThat(runtime.env("GC_CONTAINER_OPTIONS")).contains(gcs.get(0));
        assertThat(flags).anyMatch(f -> f.startsWith("-Xmx"));
    }

    @Test
    void theRuntimeRunsAsOneNumericNonRootUser() {
        List<Instruction> users = dockerfile.instructions.stream().filter(i -> i.keyword().equals("USER")).toList();
        assertThat(users).as("one USER").hasSize(1);
        assertThat(dockerfile.finalStage().all("USER")).as("in the runtime stage").hasSize(1);
        Matcher user = NUMERIC_USER.matcher(users.get(0).arguments());
        assertThat(user.matches()).as("numeric (Kubernetes' runAsNonRoot can check only a number): %s", users.get(0))
                .isTrue();
        assertThat(Integer.parseInt(user.group(1))).as("not root").isNotZero();
    }

    @Test
    void exposedPortsAreTheConfiguredApiAndManagementPorts() {
        assertThat(config.getProperty("quarkus.management.enabled")).isEqualTo("true");
        int api = Integer.parseInt(config.getProperty("quarkus.http.port"));
        int management = Integer.parseInt(config.getProperty("quarkus.management.port"));
        assertThat(management).isNotEqualTo(api);
        Set<Integer> exposed = new HashSet<>();
        for (Instruction expose : dockerfile.finalStage().all("EXPOSE")) {
            for (String port : expose.words().values()) {
                exposed.add(Integer.parseInt(port.replaceFirst("/tcp$", "")));
            }
        }
        assertThat(exposed).containsExactlyInAnyOrder(api, management);
    }

    @Test
    void theHealthCheckProbesLivenessOnTheManagementPort() {
        List<Instruction> checks = dockerfile.finalStage().all("HEALTHCHECK");
        assertThat(checks).hasSize(1);
        Dockerfile.Words words = checks.get(0).words();
        assertThat(words.values()).as("HEALTHCHECK [options] CMD …").first().isEqualTo("CMD");
        String options = checks.get(0).arguments();
        String command = options.substring(options.indexOf("CMD") + 3).strip();
        assertThat(command).as("exec form").startsWith("[");
        String script = String.join(" ", Dockerfile.jsonArray(command));
        int management = Integer.parseInt(config.getProperty("quarkus.management.port"));
        int api = Integer.parseInt(config.getProperty("quarkus.http.port"));
        assertThat(script).contains("/q/health/live").contains(String.valueOf(management))
                .doesNotContain(String.valueOf(api)).doesNotContain("/q/health/ready");
    }

    @Test
    void theDataDirectoryIsAVolumeOwnedByTheRuntimeUser() {
        Stage runtime = dockerfile.finalStage();
        String dataDir = runtime.env("TWOFA_DATA_DIR").orElseThrow();
        List<String> volumes = new ArrayList<>();
        runtime.all("VOLUME").forEach(v -> volumes.addAll(v.words().values()));
        assertThat(volumes).contains(dataDir);
        // created owner-only in the builder, copied in with the runtime user as owner (COPY keeps the mode)
        String parent = dataDir.substring(0, dataDir.lastIndexOf('/') + 1);
        Copy dirs = runtime.copies().stream().filter(c -> c.from().isPresent() && c.destination().equals(parent))
                .filter(c -> c.sources().size() == 1 && c.sources().get(0).endsWith("/")).findFirst().orElseThrow();
        assertThat(dirs.instruction().words().flags().get("chown")).startsWith(runtimeUid() + ":");
        String workdir = dockerfile.stages.get(0).all("WORKDIR").get(0).arguments() + "/";
        String built = dirs.sources().get(0).substring(workdir.length()) + "data";
        assertThat(dockerfile.stages.get(0).all("RUN")).as("the builder makes %s owner-only", built)
                .anyMatch(run -> run.arguments().contains("mkdir -p " + built) && run.arguments().contains("chmod 0700 " + built));
    }

    @Test
    void dockerignoreKeepsBuildOutputDataSecretsAndLocalFilesOut() {
        assertThat(List.of("target", "target/quarkus-app/quarkus-run.jar", "data", "data/postgres/PG_VERSION",
                "data/keys/signing/k1.pem", "keys/signing/k1.pem", "keys/secrets/k1.key", "server.pem", "server.key",
                "src/main/resources/forgotten.pem", "src/main/resources/forgotten.key", ".git", ".git/config",
                "bench/work/service.log", ".idea/workspace.xml", "twofa-service.iml", ".vscode/settings.json",
                "src/main/resources/META-INF/resources/node_modules/x/index.js", ".env"))
                .allSatisfy(path -> assertThat(ignore.excludes(path)).as("%s stays out", path).isTrue());
        assertThat(List.of("pom.xml", "mvnw", ".mvn/wrapper/maven-wrapper.properties", "openapi.yaml",
                "src/main/java/io/twofa/config/TwofaConfig.java", "src/main/resources/application.properties",
                "src/test/java/io/twofa/keys/KeyRotationTest.java"))
                .allSatisfy(path -> assertThat(ignore.excludes(path)).as("%s gets in", path).isFalse());
    }

    /** hadolint cannot be installed here; its rules that apply to this file, checked by hand. */
    @Test
    void followsHadolintRules() {
        Set<String> names = new HashSet<>();
        for (Stage stage : dockerfile.stages) {
            String image = stage.image();
            boolean digest = image.contains("@sha256:");
            String tag = image.substring(image.lastIndexOf('/') + 1).contains(":")
                    ? image.substring(image.lastIndexOf(':') + 1) : null;
            assertThat(digest || tag != null).as("DL3006 pinned base image: %s", image).isTrue();
            assertThat(tag).as("DL3007 no latest: %s", image).isNotEqualTo("latest");
            stage.name().ifPresent(n -> assertThat(names.add(n)).as("DL3024 unique stage name %s", n).isTrue());
            for (Instruction i : stage.instructions()) {
                switch (i.keyword()) {
                    case "WORKDIR" -> assertThat(i.arguments()).as("DL3000 absolute WORKDIR").startsWith("/");
                    case "CMD", "ENTRYPOINT" -> assertThat(i.jsonForm()).as("DL3025 exec form: %s", i).isTrue();
                    case "ADD" -> throw new AssertionError("DL3020 COPY, not ADD: " + i);
                    case "MAINTAINER" -> throw new AssertionError("DL4000 MAINTAINER is deprecated: " + i);
                    case "RUN" -> checkRun(i);
                    case "COPY" -> checkCopy(stage, i, names);
                    default -> {
                    }
                }
            }
            assertThat(stage.all("HEALTHCHECK").size()).as("DL3012 one HEALTHCHECK").isLessThanOrEqualTo(1);
            assertThat(stage.all("CMD").size()).as("DL4003 one CMD").isLessThanOrEqualTo(1);
            assertThat(stage.all("ENTRYPOINT").size()).as("DL4004 one ENTRYPOINT").isLessThanOrEqualTo(1);
        }
        List<Instruction> users = dockerfile.finalStage().all("USER");
        assertThat(users).isNotEmpty();
        String last = users.get(users.size() - 1).arguments();
        assertThat(last).as("DL3002 last USER not root").isNotIn("root", "0", "0:0", "root:root");
    }

    private static void checkRun(Instruction run) {
        String cmd = run.arguments();
        assertThat(cmd).as("DL3004 no sudo: %s", run).doesNotContainPattern("(^|[\\s;&|])sudo\\s");
        assertThat(cmd).as("DL3003 WORKDIR, not cd: %s", run).doesNotContainPattern("(^|[\\s;&|])cd\\s");
        if (cmd.matches(".*apt-get\\s+(-\\S+\\s+)*install.*")) {
            assertThat(cmd).as("DL3014/DL3015: %s", run).containsPattern("\\s-y\\b").contains("--no-install-recommends");
        }
        assertThat(cmd).as("DL3005 no apt-get upgrade").doesNotContainPattern("apt-get\\s+(dist-)?upgrade");
        if (cmd.replace("||", "").contains("|")) {
            assertThat(cmd).as("DL4006 pipefail before a pipe: %s", run).contains("set -o pipefail");
        }
    }

    private static void checkCopy(Stage stage, Instruction copy, Set<String> earlierStages) {
        Dockerfile.Words words = copy.words();
        if (words.values().size() > 2) {
            assertThat(words.values().get(words.values().size() - 1)).as("DL3021 several sources into a directory: %s",
                    copy).endsWith("/");
        }
        String from = words.flags().get("from");
        if (from != null) {
            assertThat(stage.name()).as("DL3023 not from itself: %s", copy).isNotEqualTo(Optional.of(from));
            assertThat(earlierStages).as("DL3022 --from names an earlier stage: %s", copy).contains(from);
        }
    }

    private static List<Copy> contextCopies() {
        return dockerfile.stages.stream().flatMap(s -> s.copies().stream()).filter(c -> c.from().isEmpty()).toList();
    }

    private static String runtimeUid() {
        Matcher user = NUMERIC_USER.matcher(dockerfile.finalStage().all("USER").get(0).arguments());
        assertThat(user.matches()).isTrue();
        return user.group(1);
    }

    private static String normalize(String source) {
        String path = source;
        while (path.startsWith("./")) {
            path = path.substring(2);
        }
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    private static int indexOf(List<Instruction> steps, java.util.function.Predicate<Instruction> which) {
        for (int i = 0; i < steps.size(); i++) {
            if (which.test(steps.get(i))) {
                return i;
            }
        }
        return -1;
    }

    private static int lastIndexOf(List<Instruction> steps, java.util.function.Predicate<Instruction> which) {
        for (int i = steps.size() - 1; i >= 0; i--) {
            if (which.test(steps.get(i))) {
                return i;
            }
        }
        return -1;
    }
}
