package io.twofa.operations;

import java.nio.file.Path;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** The configuration of {@link SecondInstanceHost}, from the system properties {@link SecondInstance} sets. */
public class SecondInstanceProfile implements QuarkusTestProfile {

    static final String ENABLED = "twofa-ops.second-instance";
    static final String PORT = "twofa-ops.second-instance.port";
    static final String MANAGEMENT_PORT = "twofa-ops.second-instance.management-port";
    static final String REACTIVE_URL = "twofa-ops.second-instance.reactive-url";
    static final String JDBC_URL = "twofa-ops.second-instance.jdbc-url";
    static final String KEYS = "twofa-ops.second-instance.keys-dir";

    @Override
    public Map<String, String> getConfigOverrides() {
        if (System.getProperty(ENABLED) == null) {
            return Map.of();
        }
        Map<String, String> config = new java.util.HashMap<>(OpsPostgresResource.instanceConfig(
                System.getProperty(REACTIVE_URL), System.getProperty(JDBC_URL), Path.of(System.getProperty(KEYS))));
        config.put("quarkus.http.test-port", System.getProperty(PORT));
        config.put("quarkus.management.test-port", System.getProperty(MANAGEMENT_PORT));
        // the database is the first instance's: migrate if needed, never wipe it (the test profile cleans at start)
        config.put("quarkus.flyway.clean-at-start", "false");
        config.put("%test.quarkus.flyway.clean-at-start", "false");
        config.put("twofa.crypto.generate-keys", "false");
        config.put("%test.twofa.crypto.generate-keys", "false");
        return config;
    }
}
