package io.twofa.database;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.twofa.config.TwofaConfig;

/**
 * Tells the embedded PostgreSQL's shutdown hook when the application is up and when it has stopped, so that at
 * SIGTERM the database stops only after in-flight requests have finished (see EmbeddedPostgresConfigSourceFactory).
 */
@ApplicationScoped
public class EmbeddedDatabaseLifecycle {

    void started(@Observes StartupEvent event, TwofaConfig config) {
        if (config.embeddedDatabase().active()) {
            EmbeddedPostgresConfigSourceFactory.applicationStarted();
        }
    }

    /** Last of the shutdown observers: Quarkus fires ShutdownEvent once the graceful shutdown has let requests finish. */
    void stopped(@Observes @Priority(Interceptor.Priority.LIBRARY_AFTER + 1000) ShutdownEvent event) {
        EmbeddedPostgresConfigSourceFactory.applicationStopped();
    }
}
