package io.twofa.error;

import java.util.Map;

/**
 * An error the client can act on, answered as {@code application/problem+json} (RFC 9457). Subclasses name the
 * kind; {@code detail} is safe to show to users and never carries a secret.
 */
public abstract class ProblemException extends RuntimeException {

    private final int status;
    private final String type;
    private final String title;

    protected ProblemException(int status, String type, String title, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.type = type;
        this.title = title;
    }

    public int status() {
        return status;
    }

    /** The last segment of the problem type URI. */
    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    /** Extra members of the problem body (e.g. the invalid field). */
    public Map<String, Object> extensions() {
        return Map.of();
    }

    /** Extra response headers (e.g. Retry-After). */
    public Map<String, String> headers() {
        return Map.of();
    }
}
