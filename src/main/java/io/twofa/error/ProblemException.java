package io.twofa.error;

import java.util.Map;

/**
 * An error the client can act on, answered as {@code application/problem+json} (RFC 9457) by {@link Problems}.
 * {@code detail} is safe to show to users and never carries a secret. Thrown without a stack trace: it is an
 * answer, not a fault.
 */
public class ProblemException extends RuntimeException {

    private final ProblemType type;
    private final Map<String, Object> extensions;
    private final Map<String, String> headers;

    public ProblemException(ProblemType type, String detail, Map<String, Object> extensions, Map<String, String> headers) {
        super(detail, null, false, false);
        this.type = type;
        this.extensions = Map.copyOf(extensions);
        this.headers = Map.copyOf(headers);
    }

    public ProblemException(ProblemType type, String detail) {
        this(type, detail, Map.of(), Map.of());
    }

    public ProblemType type() {
        return type;
    }

    public int status() {
        return type.status();
    }

    /** Extra members of the problem body (e.g. the invalid field). */
    public Map<String, Object> extensions() {
        return extensions;
    }

    /** Extra response headers (e.g. Retry-After). */
    public Map<String, String> headers() {
        return headers;
    }

    /** 400: a field is missing or has a value the service does not accept; {@code field} may be null. */
    public static ProblemException invalidInput(String field, String detail) {
        return new ProblemException(ProblemType.INVALID_INPUT, detail, field == null ? Map.of() : Map.of("field", field),
                Map.of());
    }

    /** 401 for a wrong login or password: one wording, so the answer never tells which part was wrong. */
    public static ProblemException badLogin() {
        return new ProblemException(ProblemType.UNAUTHENTICATED, "The login or password is incorrect.");
    }

    public static ProblemException badCode() {
        return new ProblemException(ProblemType.UNAUTHENTICATED, "The code is incorrect.");
    }

    public static ProblemException badPassword() {
        return new ProblemException(ProblemType.UNAUTHENTICATED, "The password is incorrect.");
    }

    /** 429: the attempt was not evaluated; try again after the wait. */
    public static ProblemException throttled(long retryAfterSeconds) {
        return new ProblemException(ProblemType.THROTTLED,
                "Too many failed attempts. Try again in " + retryAfterSeconds + " seconds.",
                Map.of("retry_after", retryAfterSeconds), Map.of("Retry-After", Long.toString(retryAfterSeconds)));
    }

    /** 403: too many consecutive second-factor failures; only an admin reset lifts it. */
    public static ProblemException secondFactorLocked() {
        return new ProblemException(ProblemType.SECOND_FACTOR_LOCKED,
                "Too many failed codes: the second factor is locked. Ask an administrator to reset it.");
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(ProblemType.NOT_FOUND, detail);
    }

    /** The admin endpoints' answer for a login that names no account. */
    public static ProblemException noSuchAccount(String login) {
        return notFound("No account with login '" + login + "'.");
    }

    /** 503: the database is unreachable or too slow; the client may retry. */
    public static ProblemException unavailable(String detail) {
        return new ProblemException(ProblemType.UNAVAILABLE, detail, Map.of(), Map.of("Retry-After", "5"));
    }
}
