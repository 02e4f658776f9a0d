package io.twofa.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.twofa.support.Api;
import io.twofa.support.Db;
import io.twofa.support.TestClock;

/**
 * Runs the Python client's own tests (clients/python, unittest) against this service on PostgreSQL, under
 * Python 3.7 (the oldest interpreter inside Maya, Nuke and Houdini; from pyenv or PATH) and the newest python3
 * (on PATH or installed by pyenv). Their integration tests create users through the admin API, switch two-factor on and off, and need
 * a short refresh grace period (2 s) so a reuse after the grace period can be shown without a long wait.
 */
@QuarkusTest
@TestProfile(PythonClientTest.ShortRefreshGrace.class)
@Tag("slow")
class PythonClientTest {

    /** A refresh token presented again more than 2 s after its rotation is a reuse (default 30 s). */
    public static class ShortRefreshGrace implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("twofa.refresh.grace-period", "2S");
        }
    }

    private static final Path CLIENT_DIR = Path.of("clients", "python").toAbsolutePath();
    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+)");
    private static final long TIMEOUT_MINUTES = 10;

    @TestHTTPResource("/")
    URL url;

    record Interpreter(String command, List<Integer> version) {
        String label() {
            return command + " (" + version.get(0) + "." + version.get(1) + "." + version.get(2) + ")";
        }
    }

    @TestFactory
    Stream<DynamicTest> pythonClientTestsPass() {
        List<Interpreter> interpreters = interpreters();
        Assumptions.assumeFalse(interpreters.isEmpty(), "no python3 on this machine");
        return interpreters.stream().map(python -> DynamicTest.dynamicTest(python.label(), () -> run(python)));
    }

    private void run(Interpreter python) throws IOException, InterruptedException {
        TestClock.reset(); // the Python tests compute TOTP codes from the real clock
        // each interpreter's run starts where the first did: the admin without a second factor (a run before may have
        // enrolled it with a secret only that process knew), two-factor off
        Db.update("delete from authenticator where account_id = (select id from account where login = ?)", Api.ADMIN);
        Db.update("delete from backup_code where account_id = (select id from account where login = ?)", Api.ADMIN);
        Db.update("update site_policy set two_factor_required = false, enforce_from = null");
        Path cacheDir = Files.createTempDirectory("twofa-python-cache");
        ProcessBuilder builder = new ProcessBuilder(python.command(), "-m", "unittest", "discover", "-s", "tests", "-v")
                .directory(CLIENT_DIR.toFile()).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        // nothing of the developer's own twofa settings (CA bundle, cache, password) leaks into the run
        env.keySet().removeIf(key -> key.startsWith("TWOFA_"));
        env.put("TWOFA_TEST_URL", "http://127.0.0.1:" + url.getPort());
        env.put("TWOFA_TEST_ADMIN_LOGIN", Api.ADMIN);
        env.put("TWOFA_TEST_ADMIN_PASSWORD", Api.ADMIN_PASSWORD);
        env.put("TWOFA_TEST_REFRESH_GRACE_SECONDS", "2");
        env.put("TWOFA_CACHE_DIR", cacheDir.toString());
        env.put("PYTHONDONTWRITEBYTECODE", "1");
        env.put("PYTHONUNBUFFERED", "1");
        env.put("NO_PROXY", "127.0.0.1,localhost");
        env.put("no_proxy", "127.0.0.1,localhost");
        Process process = builder.start();
        StringBuilder output = new StringBuilder();
        Thread pump = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    System.out.println("[" + python.command() + "] " + line);
                    output.append(line).append('\n');
                }
            } catch (IOException e) {
                output.append("(output ended: ").append(e.getMessage()).append(")\n");
            }
        });
        pump.start();
        boolean finished = process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES);
        if (!finished) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        pump.join(TimeUnit.SECONDS.toMillis(30));
        deleteTree(cacheDir);
        assertTrue(finished, python.label() + ": the Python tests did not finish within " + TIMEOUT_MINUTES + " minutes");
        String text = output.toString();
        // a run that skipped its integration tests would pass without testing the service
        assertTrue(!text.contains("TWOFA_TEST_URL is not set"), python.label() + ": the integration tests were skipped");
        assertEquals(0, process.exitValue(), python.label() + ": Python tests failed:\n" + text);
        assertTrue(text.contains("\nOK"), python.label() + ": no OK from unittest:\n" + text);
    }

    /** Python 3.7 (pyenv, else PATH) and the newest python3 (on PATH or installed by pyenv); each once, whatever its name. */
    static List<Interpreter> interpreters() {
        Map<String, Interpreter> byVersion = new LinkedHashMap<>();
        python37().ifPresent(p -> byVersion.put(p.version().toString(), p));
        newest().ifPresent(p -> byVersion.putIfAbsent(p.version().toString(), p));
        return new ArrayList<>(byVersion.values());
    }

    private static Optional<Interpreter> python37() {
        Optional<String> root = output(List.of("pyenv", "root")).map(String::trim).filter(s -> !s.isEmpty());
        if (root.isPresent()) {
            File[] versions = Path.of(root.get(), "versions").toFile().listFiles((dir, name) -> name.startsWith("3.7."));
            if (versions != null) {
                Optional<Interpreter> found = Stream.of(versions)
                        .map(dir -> probe(new File(dir, "bin/python3.7").getPath()))
                        .flatMap(Optional::stream)
                        .max(Comparator.comparing(p -> p.version().get(2)));
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return probe("python3.7");
    }

    private static Optional<Interpreter> newest() {
        Pattern name = Pattern.compile("python3(\\.\\d+)?");
        List<String> candidates = new ArrayList<>();
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File[] files = new File(dir).listFiles((d, n) -> name.matcher(n).matches());
            if (files != null) {
                for (File f : files) {
                    candidates.add(f.getPath());
                }
            }
        }
        // pyenv's versions count too, selected or not (its shims run only the selected ones)
        output(List.of("pyenv", "root")).map(String::trim).filter(r -> !r.isEmpty()).ifPresent(root -> {
            File[] versions = Path.of(root, "versions").toFile().listFiles((dir, n) -> n.matches("3\\.\\d+\\.\\d+"));
            if (versions != null) {
                for (File version : versions) {
                    candidates.add(new File(version, "bin/python3").getPath());
                }
            }
        });
        // a pyenv shim for a version that is not selected exits with an error: probe() drops it
        return candidates.stream().map(PythonClientTest::probe).flatMap(Optional::stream)
                .filter(p -> p.version().get(0) == 3 && p.version().get(1) >= 7)
                .max(Comparator.comparing((Interpreter p) -> p.version().get(1)).thenComparing(p -> p.version().get(2)));
    }

    private static Optional<Interpreter> probe(String command) {
        return output(List.of(command, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])")).flatMap(out -> {
            Matcher m = VERSION.matcher(out.trim());
            return m.matches()
                    ? Optional.of(new Interpreter(command, List.of(Integer.valueOf(m.group(1)), Integer.valueOf(m.group(2)),
                            Integer.valueOf(m.group(3)))))
                    : Optional.empty();
        });
    }

    private static Optional<String> output(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            return p.exitValue() == 0 ? Optional.of(out) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
