package io.twofa.audit;

/** Where a request came from: the client program and the source address (as the HTTP layer resolved it). */
public record RequestOrigin(String client, String sourceIp) {
}
