package io.twofa.totp.http;

import java.time.Instant;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.twofa.error.Require;
import io.twofa.factor.EnrollmentCompletion;
import io.twofa.token.Caller;
import io.twofa.token.IssuedTokens;
import io.twofa.token.TokenPrincipal;
import io.twofa.totp.QrPng;
import io.twofa.totp.TotpEnrollment;
import io.twofa.web.Origins;
import io.twofa.web.Roles;
import io.vertx.core.http.HttpServerRequest;

/**
 * Enrolment starts with a challenge token (login flow) or an access token and the password (new phone); the pending key
 * is read and confirmed only with the challenge of the login, or the enrolment token of the new phone (an access token
 * gets 403 {@code wrong-step}).
 */
@Path("/api/v1/enrollment")
@RolesAllowed({ Roles.CHALLENGE, Roles.ACCESS })
public class EnrollmentResource {

    /** Body of POST /api/v1/enrollment: the password, required with an access token. */
    public record StartEnrollmentRequest(String password) {
    }

    /** Body of POST /api/v1/enrollment/confirm. */
    public record ConfirmEnrollmentRequest(String code) {
    }

    /**
     * The secret in the forms an authenticator app takes; returned once, when enrolment starts. {@code enrollmentToken}:
     * with an access token (new phone), the token that alone reads the QR code and confirms the key (absent at login).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record EnrollmentStarted(String secret, String otpauthUri, String qrPng, long expiresIn, String enrollmentToken) {
    }

    /** Enrolment done: the first backup codes and, in the login flow, the access token. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record EnrollmentConfirmed(String status, List<String> backupCodes, Instant backupCodesGeneratedAt,
            String accessToken, String tokenType, Long expiresIn, String refreshToken, Long refreshExpiresIn) {

        static EnrollmentConfirmed of(EnrollmentCompletion.Completion c) {
            IssuedTokens t = c.tokens();
            return new EnrollmentConfirmed("enrolled", c.recoveryCodes().codes(), c.recoveryCodes().generatedAt(),
                    t == null ? null : t.accessToken(), t == null ? null : "Bearer", t == null ? null : t.expiresIn(),
                    t == null ? null : t.refreshToken(), t == null ? null : t.refreshExpiresIn());
        }
    }

    private final TotpEnrollment service;
    private final SecurityIdentity identity;

    EnrollmentResource(TotpEnrollment service, SecurityIdentity identity) {
        this.service = service;
        this.identity = identity;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> startEnrollment(StartEnrollmentRequest body, @Context HttpServerRequest request) {
        TokenPrincipal caller = Caller.of(identity);
        return service.start(caller, body == null ? null : body.password(), Origins.of(request, caller.client()))
                .map(started -> Response.status(Response.Status.CREATED)
                        .entity(new EnrollmentStarted(started.secret(), started.otpauthUri(), QrPng.dataUri(started.qrPng()),
                                started.expiresIn(), started.enrollmentToken()))
                        .header("Cache-Control", "no-store").build());
    }

    @GET
    @Path("qr.png")
    @Produces("image/png")
    public Uni<Response> getEnrollmentQrCode() {
        return service.qrPng(Caller.of(identity))
                .map(png -> Response.ok(png, "image/png").header("Cache-Control", "no-store").build());
    }

    @POST
    @Path("confirm")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> confirmEnrollment(ConfirmEnrollmentRequest body, @Context HttpServerRequest request) {
        TokenPrincipal caller = Caller.of(identity);
        return service.confirm(caller, Require.body(body).code(), Origins.of(request, caller.client()))
                .map(completed -> Response.ok(EnrollmentConfirmed.of(completed)).header("Cache-Control", "no-store").build());
    }
}
