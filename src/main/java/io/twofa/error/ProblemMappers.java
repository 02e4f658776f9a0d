package io.twofa.error;

import java.util.Map;
import java.util.stream.Collectors;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.twofa.token.Roles;

/** Every error leaves the service as problem+json: typed problems, framework errors, and the unexpected. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response problem(ProblemException e) {
        return Problems.of(e);
    }

    @ServerExceptionMapper
    public Response unknownField(UnrecognizedPropertyException e) {
        return Problems.response(400, "invalid-input", "Invalid input",
                "Unknown field '" + e.getPropertyName() + "'.", Map.of("field", e.getPropertyName()), Map.of());
    }

    @ServerExceptionMapper
    public Response badJson(JsonProcessingException e) {
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            String field = mapping.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("."));
            return Problems.response(400, "invalid-input", "Invalid input",
                    "Field '" + field + "' has the wrong type or format.", Map.of("field", field), Map.of());
        }
        return Problems.response(400, "malformed-json", "Malformed JSON", "The request body is not valid JSON.");
    }

    @ServerExceptionMapper({ UnauthorizedException.class, AuthenticationFailedException.class })
    public Response unauthorized(RuntimeException e) {
        return Problems.response(401, "unauthenticated", "Authentication required",
                "A valid bearer token of the right kind is required.", Map.of(), Map.of("WWW-Authenticate", "Bearer"));
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, ContainerRequestContext request) {
        // SecurityIdentity is not an allowed mapper parameter; the request's SecurityContext carries the same roles
        jakarta.ws.rs.core.SecurityContext security = request.getSecurityContext();
        if (security == null || security.getUserPrincipal() == null || !security.isUserInRole(Roles.ACCESS)) {
            // a challenge token where an access token is needed: not a permission problem, the wrong credential
            return unauthorized(e);
        }
        return Problems.response(403, "forbidden", "Forbidden", "This account may not perform this action.");
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (e.getCause() instanceof JsonProcessingException json) {
            return badJson(json);
        }
        String detail = switch (status) {
            case 400 -> "The request is malformed.";
            case 404 -> "No such resource.";
            case 405 -> "This method is not allowed here.";
            case 406 -> "The requested media type is not available.";
            case 413 -> "The request body is larger than 64 KiB.";
            case 415 -> "Unsupported content type; send application/json.";
            default -> Response.Status.fromStatusCode(status) != null
                    ? Response.Status.fromStatusCode(status).getReasonPhrase() : "Request failed.";
        };
        String title = Response.Status.fromStatusCode(status) != null
                ? Response.Status.fromStatusCode(status).getReasonPhrase() : "Error";
        return Problems.response(status, "http-" + status, title, detail);
    }

    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER + 1000)
    public Response unexpected(Throwable e) {
        if (DatabaseUnavailable.isCause(e)) {
            return Problems.response(503, "unavailable", "Service unavailable",
                    "The database is not reachable; try again shortly.", Map.of(), Map.of("Retry-After", "5"));
        }
        // the class name is enough to find it; messages of lower layers may quote request values
        LOG.errorf("Unexpected %s", e.getClass().getName());
        LOG.debug("Unexpected error", e);
        return Problems.response(500, "internal", "Internal error", "The request could not be completed.");
    }
}
