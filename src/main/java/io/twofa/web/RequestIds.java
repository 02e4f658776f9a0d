package io.twofa.web;

import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.MDC;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * Gives every HTTP request an id: the caller's {@code X-Request-Id} when it is a sane token (1–64 characters of
 * {@code [A-Za-z0-9._-]}), else a new UUID. The id is answered in the {@code X-Request-Id} response header, put in
 * the logging MDC as {@code requestId} (kept per request by Quarkus' Vert.x MDC) and written into audit rows
 * through {@link Origins}.
 */
@ApplicationScoped
public class RequestIds {

    public static final String HEADER = "X-Request-Id";
    public static final String MDC_KEY = "requestId";
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** Runs before every other filter, so even the earliest log line and error response carry the id. */
    public static final int PRIORITY = 100_000;

    void register(@Observes Filters filters) {
        filters.register(RequestIds::handle, PRIORITY);
    }

    private static void handle(RoutingContext rc) {
        String id = saneOrNull(rc.request().getHeader(HEADER));
        if (id == null) {
            id = UUID.randomUUID().toString();
            // downstream code (Origins) reads the header: make it the id actually used
            rc.request().headers().set(HEADER, id);
        }
        rc.response().putHeader(HEADER, id);
        MDC.put(MDC_KEY, id);
        rc.next();
    }

    /** The request id of a request that went through the filter (null for a request that did not). */
    public static String of(HttpServerRequest request) {
        return request == null ? null : saneOrNull(request.getHeader(HEADER));
    }

    static String saneOrNull(String candidate) {
        return candidate != null && SANE.matcher(candidate).matches() ? candidate : null;
    }
}
