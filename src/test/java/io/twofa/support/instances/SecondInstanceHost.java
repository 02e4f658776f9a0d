package io.twofa.support.instances;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * Not a test: the second service instance of {@link TwoInstancesTest}, run in its own JVM by {@link SecondInstance}.
 * Quarkus starts the application for it; its one method keeps it serving until the stop file appears (or the
 * test JVM that started it is gone). Disabled everywhere else.
 */
@QuarkusTest
@TestProfile(SecondInstanceProfile.class)
@EnabledIfSystemProperty(named = SecondInstanceProfile.ENABLED, matches = "true")
public class SecondInstanceHost {

    public static final String STOP_FILE = "twofa-ops.second-instance.stop-file";
    public static final String PARENT_PID = "twofa-ops.second-instance.parent-pid";
    /** Upper bound, should the test JVM be unable to say stop. */
    private static final long MAX_MILLIS = 20 * 60 * 1000;

    @Test
    public void serveUntilStopped() throws InterruptedException {
        Path stop = Path.of(System.getProperty(STOP_FILE));
        long parent = Long.parseLong(System.getProperty(PARENT_PID));
        long deadline = System.currentTimeMillis() + MAX_MILLIS;
        while (!Files.exists(stop) && System.currentTimeMillis() < deadline
                && ProcessHandle.of(parent).map(ProcessHandle::isAlive).orElse(false)) {
            Thread.sleep(200);
        }
    }
}
