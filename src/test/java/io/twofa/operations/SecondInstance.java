package io.twofa.operations;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A second service instance in its own JVM, on the same PostgreSQL and keys as the test's own instance.
 * <p>
 * The packaged application (target/quarkus-app) does not exist during {@code mvnw test}, so the child JVM runs the
 * application the way {@code @QuarkusTest} does, from the same test class path: {@link SecondInstanceMain} runs
 * {@link SecondInstanceHost} (a {@code @QuarkusTest} that serves until told to stop) through the JUnit Platform
 * launcher. It is the same application code and configuration, with its own HTTP port, connection pool and
 * memory: all that the two instances share is the database and the key files.
 */
final class SecondInstance implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofMinutes(4);
    private final Process process;
    private final Path stopFile;
    private final Path log;
    final int port;
    /** Its own management interface (health, metrics): a second port, like every replica has. */
    final int managementPort;

    private SecondInstance(Process process, Path stopFile, Path log, int port, int managementPort) {
        this.process = process;
        this.stopFile = stopFile;
        this.log = log;
        this.port = port;
        this.managementPort = managementPort;
    }

    String baseUrl() {
        return "http://localhost:" + port;
    }

    String managementUrl() {
        return "http://localhost:" + managementPort;
    }

    static SecondInstance start(String reactiveUrl, String jdbcUrl, Path keysDir) throws Exception {
        int port = OpsPostgres.freePort();
        int managementPort = OpsPostgres.freePort();
        while (managementPort == port) {
            managementPort = OpsPostgres.freePort();
        }
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target", "ops-second-instance")), "run-")
                .toAbsolutePath();
        Path stopFile = work.resolve("stop");
        Path log = work.resolve("instance.log");
        Path argFile = work.resolve("java.args");
        List<String> args = new ArrayList<>();
        args.add("-Xmx512m");
        args.add("-XX:TieredStopAtLevel=1");
        args.add("-Djava.util.logging.manager=org.jboss.logmanager.LogManager");
        if (System.getProperty("maven.home") != null) {
            args.add("-Dmaven.home=" + System.getProperty("maven.home"));
        }
        args.add("-D" + SecondInstanceProfile.ENABLED + "=true");
        args.add("-D" + SecondInstanceProfile.PORT + "=" + port);
        args.add("-D" + SecondInstanceProfile.MANAGEMENT_PORT + "=" + managementPort);
        // as plain system properties too, so that no configuration read of the child, however early, can fall back
        // to an embedded database (in the test profile that would wipe target/test-data of the test JVM)
        OpsPostgresResource.instanceConfig(reactiveUrl, jdbcUrl, keysDir).forEach((k, v) -> args.add("-D" + k + "=" + v));
        args.add("-Dtwofa.data-dir=" + work.resolve("data"));
        args.add("-D" + SecondInstanceProfile.REACTIVE_URL + "=" + reactiveUrl);
        args.add("-D" + SecondInstanceProfile.JDBC_URL + "=" + jdbcUrl);
        args.add("-D" + SecondInstanceProfile.KEYS + "=" + keysDir);
        args.add("-D" + SecondInstanceHost.STOP_FILE + "=" + stopFile);
        args.add("-D" + SecondInstanceHost.PARENT_PID + "=" + ProcessHandle.current().pid());
        args.add("-cp");
        args.add(testClassPath());
        args.add(SecondInstanceMain.class.getName());
        // an argument file keeps the long class path off the command line
        Files.write(argFile, args.stream().map(SecondInstance::quote).toList());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "@" + argFile)
                .directory(new File(System.getProperty("user.dir")))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        SecondInstance instance = new SecondInstance(process, stopFile, log, port, managementPort);
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
        instance.awaitReady();
        return instance;
    }

    /** The class path of the running tests: surefire names it, whether or not it uses a manifest-only jar. */
    private static String testClassPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    private static String quote(String arg) {
        return "\"" + arg.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private void awaitReady() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("The second instance exited with " + process.exitValue() + ":\n" + tail());
            }
            try {
                HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(managementUrl() + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (ready.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        close();
        throw new IllegalStateException("The second instance was not ready within " + START_TIMEOUT + ":\n" + tail());
    }

    String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws Exception {
        Files.writeString(stopFile, "stop");
        if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
