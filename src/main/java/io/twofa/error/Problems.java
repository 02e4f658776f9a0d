package io.twofa.error;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.ws.rs.core.Response;

/** Builds RFC 9457 problem responses. */
public final class Problems {

    public static final String MEDIA_TYPE = "application/problem+json";
    public static final String TYPE_PREFIX = "urn:twofa:problem:";

    private Problems() {
    }

    public static Response response(int status, String type, String title, String detail, Map<String, Object> extensions,
            Map<String, String> headers) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", TYPE_PREFIX + type);
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        body.putAll(extensions);
        Response.ResponseBuilder builder = Response.status(status).type(MEDIA_TYPE).entity(body);
        headers.forEach(builder::header);
        return builder.build();
    }

    public static Response response(int status, String type, String title, String detail) {
        return response(status, type, title, detail, Map.of(), Map.of());
    }

    public static Response of(ProblemException e) {
        return response(e.status(), e.type(), e.title(), e.getMessage(), e.extensions(), e.headers());
    }
}
