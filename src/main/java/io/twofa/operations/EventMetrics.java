package io.twofa.operations;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.UnauthorizedException;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.twofa.audit.AuditType;
import io.twofa.config.TwofaConfig;
import io.twofa.error.DatabaseUnavailable;
import io.twofa.error.ProblemException;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

/**
 * The service's own metrics (Prometheus names, as served at {@code /q/metrics}):
 * <ul>
 * <li>{@code twofa_events_total{type, factor}}: one per audit event. {@code type} is the audit type
 * ({@link AuditType#wireName()}), {@code factor} is {@code totp}, {@code backup_code} or {@code none}.</li>
 * <li>{@code twofa_login_seconds{outcome}} and {@code twofa_verify_seconds{outcome}}: time of
 * {@code POST /api/v1/auth/login} and {@code POST /api/v1/auth/verify}; {@code outcome} is one of {@link #OUTCOMES}.
 * These two also get a deadline: unfinished after {@code twofa.database.request-timeout} minus one second, they
 * are answered 503 ({@link DeadlineExceeded}); work that finishes later is discarded.</li>
 * </ul>
 * Every label value comes from a fixed set: never a login, address, request id or code.
 * <p>
 * An event recorded while serving a request is counted when that request has ended without a server error,
 * i.e. after its transaction committed (the services commit before answering, also for 4xx answers); an event of
 * a request that was answered with a 5xx (a transaction that may have rolled back, or an answer given before the
 * work finished, see {@link RequestDeadline}) is not counted. An event recorded outside a request is counted at once.
 */
@ApplicationScoped
public class EventMetrics {

    public static final String EVENTS = "twofa.events";
    public static final String LOGIN = "twofa.login";
    public static final String VERIFY = "twofa.verify";
    public static final Set<String> FACTORS = Set.of("totp", "backup_code");
    public static final String NO_FACTOR = "none";
    public static final List<String> OUTCOMES = List.of("success", "rejected", "throttled", "invalid", "unavailable",
            "error");
    private static final String PENDING = "twofa.pending-events";

    private final MeterRegistry registry;
    private final Duration deadline;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    EventMetrics(MeterRegistry registry, TwofaConfig config) {
        this.registry = registry;
        // a second before RequestDeadline answers for the whole request, so that these answers go through the
        // normal error mapping (and no late token can be issued: the work is cancelled)
        Duration total = config.database().requestTimeout();
        this.deadline = total.isZero() || total.isNegative() ? null
                : total.compareTo(Duration.ofSeconds(2)) > 0 ? total.minusSeconds(1) : total;
        // registered up front so that every series exists (at 0) from the start: rate() needs a first sample
        for (AuditType type : AuditType.values()) {
            for (String factor : factorsOf(type)) {
                counter(type.wireName(), factor);
            }
        }
        for (String outcome : OUTCOMES) {
            timer(LOGIN, outcome);
            timer(VERIFY, outcome);
        }
    }

    /** Called by the audit log for each event written. */
    public void recorded(AuditType type, String detail) {
        String factor = factorOf(type, detail);
        Pending pending = pending();
        if (pending == null || !pending.add(type, factor)) {
            counter(type.wireName(), factor).increment();
        }
    }

    /** Starts collecting the events of a request; counts them when it ends (see the class comment). */
    void beginRequest(RoutingContext rc) {
        Context context = Vertx.currentContext();
        if (context == null || !VertxContext.isDuplicatedContext(context)) {
            return; // not a per-request context: events are counted at once
        }
        Pending pending = new Pending();
        context.putLocal(PENDING, pending);
        rc.addEndHandler(ended -> pending.close(rc.response().getStatusCode() < 500));
    }

    public <T> Uni<T> timeLogin(Supplier<Uni<T>> call) {
        return time(LOGIN, call);
    }

    public <T> Uni<T> timeVerify(Supplier<Uni<T>> call) {
        return time(VERIFY, call);
    }

    private <T> Uni<T> time(String name, Supplier<Uni<T>> call) {
        Timer.Sample sample = Timer.start(registry);
        Uni<T> work = Uni.createFrom().<T> deferred(call::get);
        return withDeadline(work)
                .onItemOrFailure().invoke((item, failure) -> sample.stop(timer(name, outcome(failure))));
    }

    /**
     * Answers {@link DeadlineExceeded} when the work has not finished by the deadline, without cancelling it: a
     * cancelled Hibernate Reactive transaction would leave its session and connection half closed, while work
     * that finishes late (the database answers again) ends cleanly and its result is discarded.
     */
    private <T> Uni<T> withDeadline(Uni<T> work) {
        Context context = Vertx.currentContext();
        if (deadline == null || context == null) {
            return work;
        }
        return Uni.createFrom().emitter(emitter -> {
            java.util.concurrent.atomic.AtomicBoolean answered = new java.util.concurrent.atomic.AtomicBoolean();
            long timer = context.owner().setTimer(deadline.toMillis(), t -> {
                if (answered.compareAndSet(false, true)) {
                    emitter.fail(new DeadlineExceeded());
                }
            });
            work.subscribe().with(item -> {
                context.owner().cancelTimer(timer);
                if (answered.compareAndSet(false, true)) {
                    emitter.complete(item);
                }
            }, failure -> {
                context.owner().cancelTimer(timer);
                if (answered.compareAndSet(false, true)) {
                    emitter.fail(failure);
                }
            });
        });
    }

    static String outcome(Throwable failure) {
        if (failure == null) {
            return "success";
        }
        if (failure instanceof ProblemException problem) {
            return switch (problem.status()) {
                case 401, 403 -> "rejected";
                case 429 -> "throttled";
                case 503 -> "unavailable";
                default -> problem.status() < 500 ? "invalid" : "error";
            };
        }
        if (failure instanceof UnauthorizedException || failure instanceof AuthenticationFailedException) {
            return "rejected";
        }
        if (failure instanceof jakarta.ws.rs.WebApplicationException web && web.getResponse().getStatus() < 500) {
            return "invalid";
        }
        return DatabaseUnavailable.isCause(failure) ? "unavailable" : "error";
    }

    static String factorOf(AuditType type, String detail) {
        if (type == AuditType.BACKUP_CODE_USED) {
            return "backup_code";
        }
        return detail != null && FACTORS.contains(detail) ? detail : NO_FACTOR;
    }

    private static List<String> factorsOf(AuditType type) {
        return switch (type) {
            case SECOND_FACTOR_SUCCEEDED, SECOND_FACTOR_FAILED, SECOND_FACTOR_THROTTLED, SECOND_FACTOR_LOCKED ->
                List.of("totp", "backup_code");
            case BACKUP_CODE_USED -> List.of("backup_code");
            default -> List.of(NO_FACTOR);
        };
    }

    private Counter counter(String type, String factor) {
        return counters.computeIfAbsent(type + "|" + factor, k -> Counter.builder(EVENTS)
                .description("Audit events by type (and second factor, where the event has one)")
                .tag("type", type).tag("factor", factor)
                .register(registry));
    }

    private Timer timer(String name, String outcome) {
        return timers.computeIfAbsent(name + "|" + outcome, k -> Timer.builder(name)
                .description(LOGIN.equals(name) ? "Time of POST /api/v1/auth/login" : "Time of POST /api/v1/auth/verify")
                .tag("outcome", outcome)
                .publishPercentileHistogram()
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
