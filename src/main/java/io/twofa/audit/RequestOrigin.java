package io.twofa.audit;

/**
 * Where a request came from: the client program, the source address (as the HTTP layer resolved it) and the
 * request id ({@code X-Request-Id}, see {@link io.twofa.operations.RequestIds}).
 */
public record RequestOrigin(String client, String sourceIp, String requestId) {

    /** An origin without a request id (not from an HTTP request). */
    public RequestOrigin(String client, String sourceIp) {
        this(client, sourceIp, null);
    }

    /** The same request, attributed to a client program. */
    public RequestOrigin withClient(String client) {
        return new RequestOrigin(client, sourceIp, requestId);
    }
}
