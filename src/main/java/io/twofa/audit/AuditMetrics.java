package io.twofa.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.smallrye.common.vertx.VertxContext;
import io.twofa.web.RequestIds;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code twofa_events_total{type, factor}} (Prometheus name, served at {@code /q/metrics}): one per audit event.
 * {@code type} is the audit type ({@link AuditType#wireName()}), {@code factor} the second factor the event is about
 * or {@code none}. Every label value comes from a fixed set: never a login, address, request id or code.
 * <p>
 * An event recorded while serving a request is counted when that request has ended without a server error, i.e.
 * after its transaction committed (the services commit before answering, also for 4xx answers); an event of a request
 * answered with a 5xx (a transaction that may have rolled back, or an answer given by the request deadline before the
 * work finished) is not counted. An event recorded outside a request is counted at once.
 */
@ApplicationScoped
public class AuditMetrics {

    public static final String EVENTS = "twofa.events";
    public static final String NO_FACTOR = "none";
    private static final String PENDING = "twofa.pending-events";
    /** Right after the request id filter. */
    private static final int PRIORITY = RequestIds.PRIORITY - 500;

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    AuditMetrics(MeterRegistry registry) {
        this.registry = registry;
        // registered up front so that every series exists (at 0) from the start: rate() needs a first sample
        for (AuditType type : AuditType.values()) {
            counter(type.wireName(), NO_FACTOR);
        }
    }

    /** Registers the series of a second factor's events (called once per factor at start-up). */
    public void declareFactor(String factor, List<AuditType> types) {
        types.forEach(type -> counter(type.wireName(), factor));
    }

    void register(@Observes Filters filters) {
        filters.register(this::beginRequest, PRIORITY);
    }

    /** Counts one event (now, or when its request ends: see the class comment). */
    void recorded(AuditType type, String factor) {
        String label = factor == null ? NO_FACTOR : factor;
        Pending pending = pending();
        if (pending == null || !pending.add(type, label)) {
            counter(type.wireName(), label).increment();
        }
    }

    /** Starts collecting the events of a request; counts them when it ends. */
    private void beginRequest(RoutingContext rc) {
        Context context = Vertx.currentContext();
        if (context != null && VertxContext.isDuplicatedContext(context)) {
            Pending pending = new Pending();
            context.putLocal(PENDING, pending);
            rc.addEndHandler(ended -> pending.close(rc.response().getStatusCode() < 500));
        }
        rc.next();
    }

    private Counter counter(String type, String factor) {
        return counters.computeIfAbsent(type + "|" + factor, k -> Counter.builder(EVENTS)
                .description("Audit events by type (and second factor, where the event has one)")
                .tag("type", type).tag("factor", factor)
                .register(registry));
    }

    private static Pending pending() {
        Context context = Vertx.currentContext();
        if (context == null || !VertxContext.isDuplicatedContext(context)) {
            return null;
        }
        Object pending = context.getLocal(PENDING);
        return pending instanceof Pending p ? p : null;
    }

    /** The events of one request, counted once it has ended. */
    private final class Pending {
        private final List<String[]> events = new ArrayList<>();
        private boolean closed;
        private boolean committed;

        /** False: count it now (the request already ended well). */
        synchronized boolean add(AuditType type, String factor) {
            if (closed) {
                // work that goes on after the answer left: count it only if that answer was not a server error
                return !committed;
            }
            events.add(new String[] { type.wireName(), factor });
            return true;
        }

        synchronized void close(boolean committed) {
            if (closed) {
                return;
            }
            closed = true;
            this.committed = committed;
            if (committed) {
                events.forEach(e -> counter(e[0], e[1]).increment());
            }
            events.clear();
        }
    }
}
