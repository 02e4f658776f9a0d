package io.twofa.web;

import java.util.Map;
import java.util.stream.Collectors;

import jakarta.inject.Inject;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.SecurityIdentity;
import io.twofa.database.DatabaseUnavailable;
import io.twofa.error.ProblemException;
import io.twofa.error.ProblemType;
import io.twofa.error.Problems;

/** Every error leaves the service as problem+json: typed problems, framework errors, and the unexpected. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @Inject
    SecurityIdentity identity;

    @ServerExceptionMapper
    public Response problem(ProblemException e) {
        return Problems.response(e);
    }

    @ServerExceptionMapper
    public Response unknownField(UnrecognizedPropertyException e) {
        return Problems.response(ProblemException.invalidInput(e.getPropertyName(), "Unknown field '" + e.getPropertyName() + "'."));
    }

    // listed one by one: Quarkus REST ships plain-JSON mappers for some of these, and the most specific type wins
    @ServerExceptionMapper({ JsonProcessingException.class, com.fasterxml.jackson.databind.exc.MismatchedInputException.class,
            com.fasterxml.jackson.databind.exc.InvalidFormatException.class, com.fasterxml.jackson.core.JsonParseException.class,
            com.fasterxml.jackson.core.exc.StreamConstraintsException.class })
    public Response badJson(JsonProcessingException e) {
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            String field = mapping.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("."));
            return Problems.response(ProblemException.invalidInput(field, "Field '" + field + "' has the wrong type or format."));
        }
        return Problems.response(ProblemType.MALFORMED_JSON, "The request body is not valid JSON.");
    }

    @ServerExceptionMapper({ UnauthorizedException.class, AuthenticationFailedException.class })
    public Response unauthorized(RuntimeException e) {
        return Problems.response(ProblemType.INVALID_TOKEN, "A valid bearer token of the right kind is required.", Map.of(),
                Map.of("WWW-Authenticate", "Bearer"));
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        if (identity == null || identity.isAnonymous() || !identity.hasRole(Roles.ACCESS)) {
            // a challenge token where an access token is needed: not a permission problem, the wrong credential
            return unauthorized(e);
        }
        return Problems.response(ProblemType.FORBIDDEN, "This account may not perform this action.");
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (e.getCause() instanceof JsonProcessingException json) {
            return badJson(json);
        }
        ProblemType type = ProblemType.forHttpStatus(status);
        String detail = switch (type) {
            case HTTP_404 -> "No such resource.";
            case HTTP_405 -> "This method is not allowed here.";
            case HTTP_406 -> "The requested media type is not available.";
            case HTTP_413 -> BodyLimit.DETAIL;
            case HTTP_415 -> "Unsupported content type; send application/json.";
            case INTERNAL -> "The request could not be completed.";
            default -> "The request is malformed.";
        };
        return Problems.response(type, detail);
    }

    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER + 1000)
    public Response unexpected(Throwable e) {
        if (DatabaseUnavailable.isCause(e)) {
            return Problems.response(ProblemException.unavailable("The database is not reachable; try again shortly."));
        }
        // the class name is enough to find it; messages of lower layers may quote request values
        if (e instanceof io.vertx.core.impl.NoStackTraceThrowable) {
            // Vert.x' internal signals carry no request data: their message is what tells what happened
            LOG.errorf("Unexpected %s: %s", e.getClass().getName(), e.getMessage());
        } else {
            LOG.errorf("Unexpected %s", e.getClass().getName());
        }
        LOG.debug("Unexpected error", e);
        return Problems.response(ProblemType.INTERNAL, "The request could not be completed.");
    }
}
