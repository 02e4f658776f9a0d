package io.twofa.database;

import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.Set;

import io.vertx.core.VertxException;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.impl.NoStackTraceThrowable;
import io.vertx.core.impl.NoStackTraceTimeoutException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;

/**
 * Recognises a failure to reach PostgreSQL in an exception chain, as the reactive client reports it when the
 * server is down, goes away under an open connection, restarts, or does not answer in time. Checked against a
 * real outage (operations/DatabaseOutageTest): a commit on a connection the server closed fails with a plain
 * {@code SocketException: Connection reset}, which the first version of this class did not recognise (500).
 */
public final class DatabaseUnavailable {

    /** SQLSTATE codes of a server that is shutting down, restarting or refusing connections (besides class 08). */
    private static final Set<String> UNAVAILABLE_STATES = Set.of(
            "57P01", // admin_shutdown: terminating connection due to administrator command
            "57P02", // crash_shutdown
            "57P03", // cannot_connect_now: the database system is starting up / shutting down
            "53300"); // too_many_connections
    private static final Set<String> BY_NAME = Set.of(
            // netty's native transport reports resets as an IOException of its own
            "io.netty.channel.unix.Errors$NativeIoException",
            "io.vertx.core.net.ConnectException");

    private DatabaseUnavailable() {
    }

    public static boolean isCause(Throwable e) {
        int depth = 0;
        for (Throwable t = e; t != null && depth < 32; t = t.getCause(), depth++) {
            if (isUnavailable(t)) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    private static boolean isUnavailable(Throwable t) {
        if (t instanceof SocketException // ConnectException (refused, timed out), "Connection reset", broken pipe
                || t instanceof ClosedChannelException
                || t instanceof UnknownHostException
                || t instanceof ClosedConnectionException
                || t instanceof ConnectionPoolTooBusyException
                || t instanceof NoStackTraceTimeoutException
                || BY_NAME.contains(t.getClass().getName())) {
            return true;
        }
        if (t instanceof PgException pg) {
            String state = pg.getSqlState();
            return state != null && (state.startsWith("08") || UNAVAILABLE_STATES.contains(state));
        }
        if (t instanceof VertxException && "Timeout waiting for connection".equals(t.getMessage())) {
            return true; // the pool's acquire timeout (twofa.database.acquire-timeout)
        }
        // the pool's "Connection is not active now" and similar
        return t instanceof NoStackTraceThrowable && String.valueOf(t.getMessage()).contains("onnection");
    }
}
