package io.twofa.error;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;

/**
 * Refuses declared bodies over 64 KiB before they are read, with a problem+json 413 (the HTTP layer's own
 * limit, quarkus.http.limits.max-body-size, still guards chunked bodies, with a bare 413).
 */
@ApplicationScoped
public class BodyLimit {

    static final long MAX_BYTES = 64 * 1024;

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
                ctx.response().setStatusCode(413)
                        .putHeader("Content-Type", Problems.MEDIA_TYPE)
                        .putHeader("Connection", "close")
                        .end(Json.encode(java.util.Map.of(
                                "type", Problems.TYPE_PREFIX + "http-413",
                                "title", "Payload Too Large",
                                "status", 413,
                                "detail", "The request body is larger than 64 KiB.")));
                return;
            }
            ctx.next();
        });
    }
}
