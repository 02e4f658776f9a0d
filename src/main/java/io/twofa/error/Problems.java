package io.twofa.error;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.ws.rs.core.Response;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.Json;

/**
 * The one place that writes problem+json (RFC 9457): for JAX-RS answers ({@link #response}) and for the few answers
 * given below JAX-RS, by Vert.x route handlers ({@link #write}).
 */
public final class Problems {

    public static final String MEDIA_TYPE = "application/problem+json";

    private Problems() {
    }

    /** The body: type, title, status, detail, then the extensions. */
    public static Map<String, Object> body(ProblemType type, String detail, Map<String, Object> extensions) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type.uri());
        body.put("title", type.title());
        body.put("status", type.status());
        body.put("detail", detail);
        body.putAll(extensions);
        return body;
    }

    public static Response response(ProblemType type, String detail, Map<String, Object> extensions, Map<String, String> headers) {
        Response.ResponseBuilder builder = Response.status(type.status()).type(MEDIA_TYPE).entity(body(type, detail, extensions));
        headers.forEach(builder::header);
        return builder.build();
    }

    public static Response response(ProblemType type, String detail) {
        return response(type, detail, Map.of(), Map.of());
    }

    public static Response response(ProblemException e) {
        return response(e.type(), e.getMessage(), e.extensions(), e.headers());
    }

    /** Ends a Vert.x response with the problem (for handlers that run before or outside JAX-RS). */
    public static void write(HttpServerResponse response, ProblemException e) {
        response.setStatusCode(e.status()).putHeader("Content-Type", MEDIA_TYPE);
        e.headers().forEach(response::putHeader);
        response.end(Json.encode(body(e.type(), e.getMessage(), e.extensions())));
    }
}
