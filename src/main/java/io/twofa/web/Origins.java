package io.twofa.web;

import io.vertx.core.http.HttpServerRequest;

/**
 * Builds a {@link RequestOrigin}. The address is the connection's peer, or the forwarded client address only when
 * Quarkus is told to trust the proxy that sent it (quarkus.http.proxy.*): a client cannot choose its own address.
 */
public final class Origins {

    private Origins() {
    }

    public static RequestOrigin of(HttpServerRequest request, String client) {
        String ip = request == null || request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
        return new RequestOrigin(client, ip, RequestIds.of(request));
    }
}
