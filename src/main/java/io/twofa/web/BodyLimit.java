package io.twofa.web;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.twofa.error.ProblemException;
import io.twofa.error.ProblemType;
import io.twofa.error.Problems;
import io.vertx.ext.web.Router;

/**
 * Refuses declared bodies over 64 KiB before they are read, with a problem+json 413 (the HTTP layer's own
 * limit, quarkus.http.limits.max-body-size, still guards chunked bodies, with a bare 413).
 */
@ApplicationScoped
public class BodyLimit {

    static final long MAX_BYTES = 64 * 1024;
    static final String DETAIL = "The request body is larger than 64 KiB.";

    void install(@Observes Router router) {
        router.route().order(-1000).handler(ctx -> {
            String length = ctx.request().getHeader("Content-Length");
            long declared;
            try {
                declared = length == null ? -1 : Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                declared = -1;
            }
            if (declared > MAX_BYTES) {
                ctx.response().putHeader("Connection", "close");
                Problems.write(ctx.response(), new ProblemException(ProblemType.HTTP_413, DETAIL));
                return;
            }
            ctx.next();
        });
    }
}
