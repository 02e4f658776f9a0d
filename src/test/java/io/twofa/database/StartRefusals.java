package io.twofa.database;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Helpers of the tests that start the service in a state where it must refuse to start. */
final class StartRefusals {

    private StartRefusals() {
    }

    /** A directory of its own under target/, per test JVM. */
    static Path dir(String name) {
        return Path.of("target", "start-refusals", Long.toString(ProcessHandle.current().pid()), name).toAbsolutePath();
    }

    /** Counts rows in the embedded database the service of this JVM uses (after its start failed, config is gone). */
    static long count(String sql) throws SQLException, IOException {
        String port = System.getProperty(EmbeddedPostgresConfigSourceFactory.RUNNING_PORT);
        String password = Files.readString(Path.of(System.getProperty(EmbeddedPostgresConfigSourceFactory.RUNNING_PASSWORD_FILE))).strip();
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", password);
                Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
