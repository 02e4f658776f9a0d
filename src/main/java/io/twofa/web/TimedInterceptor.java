package io.twofa.web;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.Priority;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.UnauthorizedException;
import io.smallrye.mutiny.Uni;
import io.twofa.database.DatabaseUnavailable;
import io.twofa.error.ProblemException;

/**
 * Times {@link Timed} methods, with an {@code outcome} tag from a fixed set (never a login, address or code):
 * success, rejected (401/403), throttled (429), invalid (other 4xx), unavailable (503), error.
 */
@Timed(value = "", description = "")
@Interceptor
@Priority(Interceptor.Priority.APPLICATION)
public class TimedInterceptor {

    public static final List<String> OUTCOMES = List.of("success", "rejected", "throttled", "invalid", "unavailable", "error");

    private final MeterRegistry registry;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    TimedInterceptor(MeterRegistry registry) {
        this.registry = registry;
    }

    @AroundInvoke
    Object time(InvocationContext context) throws Exception {
        Timed timed = context.getMethod().getAnnotation(Timed.class);
        if (timed == null) {
            timed = context.getMethod().getDeclaringClass().getAnnotation(Timed.class);
        }
        Timed binding = timed;
        // every series at 0 from the first call on, so that rate() has a first sample for each outcome
        OUTCOMES.forEach(outcome -> timer(binding, outcome));
        Timer.Sample sample = Timer.start(registry);
        Object result;
        try {
            result = context.proceed();
        } catch (RuntimeException e) {
            sample.stop(timer(binding, outcome(e)));
            throw e;
        }
        if (result instanceof Uni<?> uni) {
            return uni.onItemOrFailure().invoke((item, failure) -> sample.stop(timer(binding, outcome(failure))));
        }
        sample.stop(timer(binding, "success"));
        return result;
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

    private Timer timer(Timed timed, String outcome) {
        return timers.computeIfAbsent(timed.value() + "|" + outcome, k -> Timer.builder(timed.value())
                .description(timed.description())
                .tag("outcome", outcome)
                .publishPercentileHistogram()
                .register(registry));
    }
}
