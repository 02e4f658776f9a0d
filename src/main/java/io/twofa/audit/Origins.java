package io.twofa.audit;

import io.twofa.operations.RequestIds;
import io.vertx.core.http.HttpServerRequest;

/** Builds a {@link RequestOrigin}. The address is the connection's, or X-Forwarded-For's only when Quarkus is told to trust the proxy (quarkus.http.proxy.*). */
public final class Origins {

    private Origins() {
    }

    public static RequestOrigin of(HttpServerRequest request, String client) {
        String ip = request == null || request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
        return new RequestOrigin(client, ip, RequestIds.of(request));
    }
}
