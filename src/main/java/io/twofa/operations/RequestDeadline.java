package io.twofa.operations;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.twofa.config.TwofaConfig;
import io.vertx.ext.web.RoutingContext;

/**
 * Answers 503 problem+json to any request still unanswered after {@code twofa.database.request-timeout}.
 * <p>
 * The pool's connect and acquire timeouts bound a database that is down or refuses connections. A database that
 * keeps its connections open but stops answering (a frozen server, a network that silently drops packets) would
 * hold a request on an open connection forever: the reactive client has no query timeout. This is the backstop.
 * The work itself is not cancelled; whatever it would have answered later is discarded (no token leaves).
 */
@ApplicationScoped
public class RequestDeadline {

    private static final Logger LOG = Logger.getLogger(RequestDeadline.class);
    /** Right after the request id, so the 503 carries it. */
    private static final int PRIORITY = 99_000;
    static final String BODY = "{\"type\":\"urn:twofa:problem:unavailable\",\"title\":\"Service unavailable\",\"status\":503,"
            + "\"detail\":\"The request took too long (is the database reachable?); try again shortly.\"}";

    void register(@Observes Filters filters, TwofaConfig config) {
        long millis = config.database().requestTimeout().toMillis();
        if (millis > 0) {
            filters.register(rc -> handle(rc, millis), PRIORITY);
        }
    }

    private static void handle(RoutingContext rc, long millis) {
        long timer = rc.vertx().setTimer(millis, t -> {
            if (!rc.response().ended() && !rc.response().headWritten() && !rc.response().closed()) {
                LOG.warnf("%s %s unanswered after %d ms: answered 503", rc.request().method(), rc.request().path(), millis);
                rc.response().setStatusCode(503)
                        .putHeader("Content-Type", "application/problem+json")
                        .putHeader("Retry-After", "5")
                        .end(BODY);
            }
        });
        rc.addEndHandler(ended -> rc.vertx().cancelTimer(timer));
        rc.next();
    }
}
