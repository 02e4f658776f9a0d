package io.twofa.web;

/**
 * Where a request came from: the client program, the source address (as {@link Origins} resolved it) and the
 * request id ({@code X-Request-Id}, see {@link RequestIds}).
 */
public record RequestOrigin(String client, String sourceIp, String requestId) {

    /** The same request, attributed to a client program. */
    public RequestOrigin withClient(String client) {
        return new RequestOrigin(client, sourceIp, requestId);
    }
}
