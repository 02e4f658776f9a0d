package io.twofa.device.http;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.twofa.device.DeviceService;
import io.twofa.device.PendingDevice;
import io.twofa.error.Require;
import io.twofa.login.http.LoginResponse;
import io.twofa.token.Caller;
import io.twofa.token.TokenPrincipal;
import io.twofa.web.Origins;
import io.twofa.web.Roles;
import io.vertx.core.http.HttpServerRequest;

/**
 * Device authorization (RFC 8628): the tool's two endpoints (no authentication: the device code is the credential
 * at the token endpoint) and the approval API of the web page (an access token).
 */
@Path("/api/v1/device")
public class DeviceResource {

    static final String AUTHORIZE_PATH = "/api/v1/device/authorize";
    /** The approval page, served by {@link DevicePageResource}. */
    static final String PAGE_PATH = "/device";

    /** The body of POST /api/v1/device/authorize. */
    public record AuthorizeRequest(String client, String deviceName) {
    }

    /** The body of POST /api/v1/device/token. */
    public record TokenRequest(String deviceCode) {
    }

    /** RFC 8628 §3.2. */
    public record DeviceAuthorizationResponse(String deviceCode, String userCode, String verificationUri,
            String verificationUriComplete, long expiresIn, int interval) {
    }

    /** A request waiting for approval, as the page shows it; {@code status} after a decision. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record DeviceRequestView(String userCode, String client, String deviceName, Instant requestedAt,
            String requestedFrom, Instant expiresAt, long expiresIn, String status) {

        static DeviceRequestView of(PendingDevice p, String status, Instant now) {
            return new DeviceRequestView(p.userCode(), p.client(), p.deviceName(), p.requestedAt(), p.requestedFrom(),
                    p.expiresAt(), Math.max(0, Duration.between(now, p.expiresAt()).toSeconds()), status);
        }
    }

    private final DeviceService service;
    private final SecurityIdentity identity;
    private final Clock clock;

    DeviceResource(DeviceService service, SecurityIdentity identity, Clock clock) {
        this.service = service;
        this.identity = identity;
        this.clock = clock;
    }

    @POST
    @Path("authorize")
    @PermitAll
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<DeviceAuthorizationResponse> authorizeDevice(AuthorizeRequest body, @Context HttpServerRequest request) {
        Require.body(body);
        String page = Origins.serviceBase(request, AUTHORIZE_PATH) + PAGE_PATH;
        return service.authorize(body.client(), body.deviceName(), Origins.of(request, null))
                .map(grant -> new DeviceAuthorizationResponse(grant.deviceCode(), grant.userCode(), page,
                        page + "?user_code=" + grant.userCode(), grant.expiresIn(), grant.interval()));
    }

    @POST
    @Path("token")
    @PermitAll
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<LoginResponse> redeemDeviceCode(TokenRequest body, @Context HttpServerRequest request) {
        Require.body(body);
        return service.poll(body.deviceCode(), Origins.of(request, null))
                .map(tokens -> LoginResponse.authenticated(tokens, null, Map.of()));
    }

    @GET
    @Path("requests/{user_code}")
    @RolesAllowed(Roles.ACCESS)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<DeviceRequestView> getDeviceRequest(@PathParam("user_code") String userCode, @Context HttpServerRequest request) {
        TokenPrincipal caller = Caller.of(identity);
        return service.pending(userCode, caller, Origins.of(request, caller.client()))
                .map(p -> DeviceRequestView.of(p, "pending", clock.instant()));
    }

    @POST
    @Path("requests/{user_code}/approve")
    @RolesAllowed(Roles.ACCESS)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<DeviceRequestView> approveDeviceRequest(@PathParam("user_code") String userCode,
            @Context HttpServerRequest request) {
        TokenPrincipal caller = Caller.of(identity);
        return service.approve(userCode, caller, Origins.of(request, caller.client()))
                .map(p -> DeviceRequestView.of(p, "approved", clock.instant()));
    }

    @POST
    @Path("requests/{user_code}/deny")
    @RolesAllowed(Roles.ACCESS)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<DeviceRequestView> denyDeviceRequest(@PathParam("user_code") String userCode,
            @Context HttpServerRequest request) {
        TokenPrincipal caller = Caller.of(identity);
        return service.deny(userCode, caller, Origins.of(request, caller.client()))
                .map(p -> DeviceRequestView.of(p, "denied", clock.instant()));
    }

}
