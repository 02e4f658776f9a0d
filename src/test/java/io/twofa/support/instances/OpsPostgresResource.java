package io.twofa.support.instances;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Starts {@link OpsPostgres} before the service instance of the test class starts, and points the instance at it
 * as at any external PostgreSQL (QUARKUS_DATASOURCE_* settings), with key directories that a second instance
 * can share.
 */
public class OpsPostgresResource implements QuarkusTestResourceLifecycleManager {

    public static final String PASSWORD = "ops-password";
    private String name = "ops";
    private Path keys;

    @Override
    public void init(Map<String, String> initArgs) {
        name = initArgs.getOrDefault("name", name);
    }

    @Override
    public Map<String, String> start() {
        OpsPostgres.startNew(name);
        try {
            keys = Files.createTempDirectory(Files.createDirectories(Path.of("target", "ops-keys")), name + "-")
                    .toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return instanceConfig(OpsPostgres.reactiveUrl(), OpsPostgres.jdbcUrl(), keys);
    }

    /** The configuration of one service instance on the operations database. */
    public static Map<String, String> instanceConfig(String reactiveUrl, String jdbcUrl, Path keys) {
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.datasource.reactive.url", reactiveUrl);
        config.put("quarkus.datasource.jdbc.url", jdbcUrl);
        config.put("quarkus.datasource.username", "postgres");
        config.put("quarkus.datasource.password", PASSWORD);
        // every replica needs the same signing and encryption keys (the first instance generates them)
        config.put("twofa.token.keys-dir", keys.resolve("signing").toString());
        config.put("twofa.crypto.keys-dir", keys.resolve("secrets").toString());
        config.put("twofa.crypto.generate-keys", "true");
        return config;
    }

    @Override
    public void stop() {
        OpsPostgres.destroy();
    }
}
