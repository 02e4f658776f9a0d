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

    /**
     * The URL this request reached the service at, without {@code endpointPath} (the path of the endpoint answering):
     * Vert.x's absolute URI, which carries a forwarded scheme, host and prefix only when Quarkus trusts the proxy that
     * sent them (quarkus.http.proxy.*). Links built on it point where the client already talks to, never to an
     * address taken from elsewhere.
     */
    public static String serviceBase(HttpServerRequest request, String endpointPath) {
        String uri = request.absoluteURI();
        if (uri == null) {
            // no usable Host header (HTTP/1.0): the address the connection was accepted on
            var local = request.localAddress();
            String host = local.hostAddress().contains(":") ? "[" + local.hostAddress() + "]" : local.hostAddress();
            return request.scheme() + "://" + host + ":" + local.port();
        }
        int query = uri.indexOf('?');
        String path = query < 0 ? uri : uri.substring(0, query);
        return path.endsWith(endpointPath) ? path.substring(0, path.length() - endpointPath.length()) : path;
    }
}
