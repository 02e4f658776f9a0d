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
import io.twofa.web.Origins;
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
        String base = Origins.serviceBase(request, PATH);
        return service.current().map(settings -> Response.ok(DiscoveryDocument.of(settings, base))
                .header("Cache-Control", CACHE_CONTROL).build());
    }
}
