package io.twofa.error;

import java.net.ConnectException;

/** Recognises a failure to reach PostgreSQL in an exception chain. */
public final class DatabaseUnavailable {

    private DatabaseUnavailable() {
    }

    public static boolean isCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof io.vertx.core.impl.NoStackTraceThrowable
                    && String.valueOf(t.getMessage()).contains("Connection")
                    || t.getClass().getName().equals("io.vertx.core.net.ConnectException")
                    || t.getClass().getName().equals("io.vertx.sqlclient.ClosedConnectionException")) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
