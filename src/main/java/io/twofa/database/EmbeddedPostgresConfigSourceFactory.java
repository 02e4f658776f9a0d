package io.twofa.database;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import org.eclipse.microprofile.config.spi.ConfigSource;
import org.jboss.logging.Logger;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * Supplies the datasource configuration at runtime start.
 * <p>
 * When neither {@code quarkus.datasource.reactive.url} nor {@code quarkus.datasource.jdbc.url} is configured,
 * it starts an embedded PostgreSQL whose data lives in {@code twofa.data-dir}/postgres, so that the service
 * runs with a real database out of the box; that server takes only password logins ({@link EmbeddedPostgresServer}). When only one of the two URLs is configured, it derives the other
 * (the service talks to PostgreSQL reactively; Flyway needs JDBC for migrations).
 * <p>
 * It runs at runtime initialisation only (no {@code @StaticInitSafe}), and starts at most one server per JVM:
 * dev-mode reloads and test restarts reuse the running one.
 */
public class EmbeddedPostgresConfigSourceFactory implements ConfigSourceFactory {

    private static final Logger LOG = Logger.getLogger(EmbeddedPostgresConfigSourceFactory.class);
    static final String REACTIVE_URL = "quarkus.datasource.reactive.url";
    static final String JDBC_URL = "quarkus.datasource.jdbc.url";
    /** JVM-wide marker (system properties survive Quarkus class-loader restarts) holding the embedded port. */
    static final String RUNNING_PORT = "twofa-service.embedded-postgres.port";
    /** JVM-wide marker holding the path of the embedded server's password file (not the password). */
    static final String RUNNING_PASSWORD_FILE = "twofa-service.embedded-postgres.password-file";
    private static final String SOURCE_NAME = "twofa-database";
    private static final int ORDINAL = 200;
    /** Longest wait of the embedded PostgreSQL for the application to stop (covers quarkus.shutdown.delay + timeout). */
    private static final java.time.Duration STOP_WAIT = java.time.Duration.ofSeconds(60);
    private static boolean applicationRunning;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        if (duringBuild()) {
            return Collections.emptyList();
        }
        String reactive = lookup(context, REACTIVE_URL);
        String jdbc = lookup(context, JDBC_URL);
        Map<String, String> props = new HashMap<>();
        if (reactive != null && jdbc == null) {
            props.put(JDBC_URL, "jdbc:" + reactive.replaceFirst("^vertx-reactive:", ""));
        } else if (jdbc != null && reactive == null) {
            props.put(REACTIVE_URL, jdbc.replaceFirst("^jdbc:", ""));
        } else if (reactive == null) {
            if (!Boolean.parseBoolean(orDefault(lookup(context, "twofa.embedded-database.enabled"), "true"))) {
                throw new IllegalStateException("No database configured and the embedded PostgreSQL is disabled. "
                        + "Set QUARKUS_DATASOURCE_REACTIVE_URL (and QUARKUS_DATASOURCE_USERNAME, QUARKUS_DATASOURCE_PASSWORD).");
            }
            Embedded embedded = startOrReuse(context);
            // the server listens on 127.0.0.1 only; "localhost" might resolve to ::1 first
            props.put(REACTIVE_URL, "postgresql://127.0.0.1:" + embedded.port() + "/postgres");
            props.put(JDBC_URL, "jdbc:postgresql://127.0.0.1:" + embedded.port() + "/postgres");
            props.put("quarkus.datasource.username", EmbeddedPostgresServer.USER);
            props.put("quarkus.datasource.password", embedded.password());
            props.put("twofa.embedded-database.active", "true");
        }
        if (props.isEmpty()) {
            return Collections.emptyList();
        }
        return List.of(new PropertiesConfigSource(props, SOURCE_NAME, ORDINAL));
    }

    /** Quarkus also reads configuration while building the application; no database is wanted then. */
    private static boolean duringBuild() {
        return StackWalker.getInstance().walk(frames -> frames
                .anyMatch(f -> f.getClassName().startsWith("io.quarkus.deployment.configuration.BuildTimeConfigurationReader")));
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(ORDINAL);
    }

    /** Port and password of the running embedded server. */
    private record Embedded(int port, String password) {
    }

    private static synchronized Embedded startOrReuse(ConfigSourceContext context) {
        String running = System.getProperty(RUNNING_PORT);
        if (running != null) {
            // only the file's path is kept JVM-wide, never the password itself
            Path passwordFile = Path.of(System.getProperty(RUNNING_PASSWORD_FILE));
            try {
                return new Embedded(Integer.parseInt(running), Files.readString(passwordFile).strip());
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read the embedded database's password in " + passwordFile, e);
            }
        }
        Path dataDir = Path.of(orDefault(lookup(context, "twofa.data-dir"), "data")).toAbsolutePath().normalize();
        boolean fresh = Boolean.parseBoolean(orDefault(lookup(context, "twofa.embedded-database.fresh"), "false"));
        Optional<Integer> port = Optional.ofNullable(lookup(context, "twofa.embedded-database.port")).map(Integer::parseInt);
        try {
            EmbeddedPostgresServer.Started started = EmbeddedPostgresServer.start(dataDir, fresh, port);
            stopAfterApplication(started.server());
            System.setProperty(RUNNING_PORT, Integer.toString(started.port()));
            System.setProperty(RUNNING_PASSWORD_FILE, started.passwordFile().toString());
            // bench/run.sh reads the port from this line
            LOG.infof("Embedded PostgreSQL %s on port %d, data in %s (127.0.0.1 only; user %s, password in %s)",
                    started.opened().word(), started.port(), started.cluster(), EmbeddedPostgresServer.USER,
                    started.passwordFile());
            if (started.opened() == EmbeddedPostgresServer.Opened.UPGRADED) {
                LOG.warnf("The embedded PostgreSQL of an earlier version trusted every local connection: it now takes only "
                        + "password logins (SCRAM-SHA-256, pg_hba.conf replaced), with the password in %s", started.passwordFile());
            }
            return new Embedded(started.port(), started.password());
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("Could not start the embedded PostgreSQL in " + dataDir.resolve(EmbeddedPostgresServer.CLUSTER_DIR)
                    + " (" + e.getMessage() + "). Point the service at a PostgreSQL server with QUARKUS_DATASOURCE_REACTIVE_URL, "
                    + "QUARKUS_DATASOURCE_USERNAME and QUARKUS_DATASOURCE_PASSWORD, or set TWOFA_DATA_DIR to a writable directory.", e);
        }
    }

    /**
     * JVM shutdown hooks run in parallel: had PostgreSQL its own hook, it would stop while Quarkus still lets
     * in-flight requests finish (quarkus.shutdown.timeout), and those requests would fail. So the hook waits
     * until the application has stopped ({@link EmbeddedDatabaseLifecycle}), at most {@link #STOP_WAIT}, then
     * stops PostgreSQL (pg_ctl stop, fast mode: a clean shutdown, the next start reopens the same data).
     */
    private static void stopAfterApplication(EmbeddedPostgres pg) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                synchronized (EmbeddedPostgresConfigSourceFactory.class) {
                    long deadline = System.nanoTime() + STOP_WAIT.toNanos();
                    while (applicationRunning && System.nanoTime() < deadline) {
                        EmbeddedPostgresConfigSourceFactory.class.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                pg.close();
            } catch (IOException | RuntimeException e) {
                System.err.println("Could not stop the embedded PostgreSQL: " + e);
            }
        }, "embedded-postgres-stop"));
    }

    /** The application using the embedded database has started: PostgreSQL must outlive it at shutdown. */
    static synchronized void applicationStarted() {
        applicationRunning = true;
    }

    /** The application has stopped (in-flight requests done): PostgreSQL may stop now. */
    static synchronized void applicationStopped() {
        applicationRunning = false;
        EmbeddedPostgresConfigSourceFactory.class.notifyAll();
    }

    /** Looks a name up under each active profile first, as application.properties would resolve it. */
    private static String lookup(ConfigSourceContext context, String name) {
        for (String profile : context.getProfiles()) {
            String value = valueOf(context.getValue("%" + profile + "." + name));
            if (value != null) {
                return value;
            }
        }
        return valueOf(context.getValue(name));
    }

    private static String valueOf(ConfigValue value) {
        return value == null || value.getValue() == null || value.getValue().isBlank() ? null : value.getValue();
    }

    private static String orDefault(String value, String fallback) {
        return value == null ? fallback : value;
    }
}
