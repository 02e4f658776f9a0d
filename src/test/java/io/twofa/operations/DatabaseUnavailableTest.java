package io.twofa.operations;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.SocketException;
import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.Test;

import io.twofa.database.DatabaseUnavailable;
import io.vertx.core.VertxException;
import io.vertx.core.impl.NoStackTraceThrowable;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;

/** The failures seen in real outages (DatabaseOutageTest) are recognised however deeply they are wrapped. */
class DatabaseUnavailableTest {

    @Test
    void recognisesWhatTheReactiveClientReportsWhenTheServerIsGone() {
        assertThat(DatabaseUnavailable.isCause(new ConnectException("Connection refused"))).isTrue();
        assertThat(DatabaseUnavailable.isCause(new CompletionException(new RuntimeException(new SocketException("Connection reset")))))
                .as("a commit on a connection the server closed").isTrue();
        assertThat(DatabaseUnavailable.isCause(ClosedConnectionException.INSTANCE)).isTrue();
        assertThat(DatabaseUnavailable.isCause(new VertxException("Timeout waiting for connection", true)))
                .as("pool acquire timeout").isTrue();
        assertThat(DatabaseUnavailable.isCause(new NoStackTraceThrowable("Connection is not active now, current status: CLOSED")))
                .isTrue();
        assertThat(DatabaseUnavailable.isCause(new PgException("terminating connection due to administrator command",
                "FATAL", "57P01", null))).isTrue();
        assertThat(DatabaseUnavailable.isCause(new PgException("the database system is starting up", "FATAL", "57P03", null)))
                .isTrue();
        assertThat(DatabaseUnavailable.isCause(new PgException("connection failure", "FATAL", "08006", null))).isTrue();
    }

    @Test
    void leavesOtherFailuresAlone() {
        assertThat(DatabaseUnavailable.isCause(new IllegalStateException("bug"))).isFalse();
        assertThat(DatabaseUnavailable.isCause(new PgException("duplicate key", "ERROR", "23505", null))).isFalse();
        assertThat(DatabaseUnavailable.isCause(new VertxException("something else", true))).isFalse();
        assertThat(DatabaseUnavailable.isCause(null)).isFalse();
    }
}
