package io.twofa.web;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.vertx.http.ManagementInterface;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.twofa.config.TwofaConfig;
import io.twofa.error.ProblemException;
import io.twofa.error.Problems;
import io.vertx.ext.web.RoutingContext;

/**
 * The service's one request deadline: any request still unanswered after {@code twofa.database.request-timeout} is
 * answered 503 problem+json with {@code Retry-After}.
 * <p>
 * The pool's connect and acquire timeouts bound a database that is down or refuses connections. A database that
 * keeps its connections open but stops answering (a frozen server, a network that silently drops packets) would
 * hold a request on an open connection forever: the reactive client has no query timeout. This is the backstop.
 * The work itself is not cancelled (a cancelled Hibernate Reactive transaction would leave its session and
 * connection half closed); whatever it would have answered later is discarded, so no token leaves late.
 */
@ApplicationScoped
public class RequestDeadline {

    private static final Logger LOG = Logger.getLogger(RequestDeadline.class);
    /** Right after the request id, so the 503 carries it. */
    private static final int PRIORITY = RequestIds.PRIORITY - 1_000;
    static final String DETAIL = "The request took too long (is the database reachable?); try again shortly.";

    void register(@Observes Filters filters, TwofaConfig config) {
        long millis = config.database().requestTimeout().toMillis();
        if (millis > 0) {
            filters.register(rc -> handle(rc, millis), PRIORITY);
        }
    }

    /** The management port too: readiness on a frozen database answers 503 within the same deadline. */
    void registerOnManagement(@Observes ManagementInterface management, TwofaConfig config) {
        long millis = config.database().requestTimeout().toMillis();
        if (millis > 0) {
            management.router().route().order(Integer.MIN_VALUE).handler(rc -> handle(rc, millis));
        }
    }

    private static void handle(RoutingContext rc, long millis) {
        long timer = rc.vertx().setTimer(millis, t -> {
            if (!rc.response().ended() && !rc.response().headWritten() && !rc.response().closed()) {
                LOG.warnf("%s %s unanswered after %d ms: answered 503", rc.request().method(), rc.request().path(), millis);
                Problems.write(rc.response(), ProblemException.unavailable(DETAIL));
            }
        });
        rc.addEndHandler(ended -> rc.vertx().cancelTimer(timer));
        rc.next();
    }
}
