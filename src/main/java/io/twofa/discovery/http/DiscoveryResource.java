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
import io.vertx.core.net.HostAndPort;

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
     * The URL this request reached the service at, minus the discovery path: scheme and authority as Vert.x sees
     * them, which are the forwarded ones only when Quarkus is configured to trust the proxy (quarkus.http.proxy.*).
     * The endpoints then point where the client already talks to, never to an address taken from elsewhere.
     */
    static String base(HttpServerRequest request) {
        HostAndPort authority = request.authority();
        String hostPort;
        if (authority != null) {
            hostPort = authority.host() + (authority.port() >= 0 ? ":" + authority.port() : "");
        } else {
            // HTTP/1.0 without Host: the address the connection was accepted on
            var local = request.localAddress();
            String host = local.hostAddress().contains(":") ? "[" + local.hostAddress() + "]" : local.hostAddress();
            hostPort = host + ":" + local.port();
        }
        String path = request.path();
        String prefix = path != null && path.endsWith(PATH) ? path.substring(0, path.length() - PATH.length()) : "";
        return request.scheme() + "://" + hostPort + prefix;
    }
}
