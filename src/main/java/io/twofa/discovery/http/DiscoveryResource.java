package io.twofa.discovery.http;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.smallrye.mutiny.Uni;
import io.twofa.discovery.DiscoveryService;
import io.vertx.core.http.HttpServerRequest;

/** The discovery document (SPEC §8): no authentication; what a client needs before its first login. */
@Path(DiscoveryResource.PATH)
@PermitAll
public class DiscoveryResource {

    static final String PATH = "/.well-known/twofa-configuration";

    /**
     * Short, public caching: many processes start at once, but {@code two_factor_required} and {@code enforce_from}
     * change at run time, and a client should learn of such a change within a minute.
     */
    static final String CACHE_CONTROL = "public, max-age=60";

    private final DiscoveryService service;

    DiscoveryResource(DiscoveryService service) {
        this.service = service;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> discovery(@Context HttpServerRequest request) {
        String base = base(request);
        return service.current().map(settings -> Response.ok(DiscoveryDocument.of(settings, base))
                .header("Cache-Control", CACHE_CONTROL).build());
    }

    /**
     * The URL this request reached the service at, minus the discovery path: the absolute URI as Vert.x sees it, which
     * carries the forwarded scheme, host and prefix only when Quarkus is configured to trust the proxy that sent them
     * (quarkus.http.proxy.*). The endpoints then point where the client already talks to, never to an address taken
     * from elsewhere.
     */
    static String base(HttpServerRequest request) {
        String uri = request.absoluteURI();
        if (uri == null) {
            // no usable Host (HTTP/1.0): the address the connection was accepted on
            var local = request.localAddress();
            String host = local.hostAddress().contains(":") ? "[" + local.hostAddress() + "]" : local.hostAddress();
            return request.scheme() + "://" + host + ":" + local.port();
        }
        int query = uri.indexOf('?');
        String withoutQuery = query < 0 ? uri : uri.substring(0, query);
        return withoutQuery.endsWith(PATH) ? withoutQuery.substring(0, withoutQuery.length() - PATH.length()) : withoutQuery;
    }
}
