package io.twofa.error;

/**
 * Every problem the service answers (RFC 9457): the type URI is {@link #uri()}, the HTTP status and title are fixed
 * per type. openapi.yaml lists the same set (components.schemas.ProblemType); a test keeps the two equal.
 */
public enum ProblemType {
    INVALID_INPUT("invalid-input", 400, "Invalid input"),
    MALFORMED_JSON("malformed-json", 400, "Malformed JSON"),
    HTTP_400("http-400", 400, "Bad Request"),
    // the token endpoint of device authorization: RFC 8628 §3.5 (the extension "error" carries the RFC's code)
    AUTHORIZATION_PENDING("authorization-pending", 400, "Authorization pending"),
    SLOW_DOWN("slow-down", 400, "Polling too fast"),
    ACCESS_DENIED("access-denied", 400, "Access denied"),
    EXPIRED_TOKEN("expired-token", 400, "Device code expired"),
    INVALID_GRANT("invalid-grant", 400, "Invalid device code"),
    UNAUTHENTICATED("unauthenticated", 401, "Authentication failed"),
    INVALID_TOKEN("invalid-token", 401, "Authentication required"),
    CHALLENGE_SPENT("challenge-spent", 401, "Challenge already used"),
    // refresh failures, distinct so a client can tell the user why the session ended (SPEC §8)
    REFRESH_INVALID("refresh-invalid", 401, "Unknown refresh token"),
    REFRESH_EXPIRED("refresh-expired", 401, "Session expired"),
    SESSION_REVOKED("session-revoked", 401, "Session ended"),
    REFRESH_REUSED("refresh-reused", 401, "Refresh token reused"),
    FORBIDDEN("forbidden", 403, "Forbidden"),
    WRONG_STEP("wrong-step", 403, "Forbidden"),
    EXEMPT("exempt", 403, "Forbidden"),
    SECOND_FACTOR_LOCKED("second-factor-locked", 403, "Forbidden"),
    /** A sensitive action needs a recent full authentication: extension {@code max_age} (seconds); see POST /api/v1/auth/step-up. */
    STEP_UP_REQUIRED("step-up-required", 403, "Step-up required"),
    SECOND_FACTOR_REQUIRED("second-factor-required", 403, "Forbidden"),
    NOT_FOUND("not-found", 404, "Not found"),
    HTTP_404("http-404", 404, "Not Found"),
    UNKNOWN_USER_CODE("unknown-user-code", 404, "Unknown code"),
    HTTP_405("http-405", 405, "Method Not Allowed"),
    HTTP_406("http-406", 406, "Not Acceptable"),
    LOGIN_TAKEN("login-taken", 409, "Conflict"),
    /** The change would leave no active admin account. */
    LAST_ADMIN("last-admin", 409, "Conflict"),
    NOT_ENROLLED("not-enrolled", 409, "Conflict"),
    ALREADY_ENROLLED("already-enrolled", 409, "Conflict"),
    NO_PENDING_ENROLLMENT("no-pending-enrollment", 409, "Conflict"),
    HTTP_413("http-413", 413, "Payload Too Large"),
    HTTP_415("http-415", 415, "Unsupported Media Type"),
    THROTTLED("throttled", 429, "Too many attempts"),
    INTERNAL("internal", 500, "Internal error"),
    UNAVAILABLE("unavailable", 503, "Service unavailable");

    public static final String URI_PREFIX = "urn:twofa:problem:";

    private final String slug;
    private final int status;
    private final String title;

    ProblemType(String slug, int status, String title) {
        this.slug = slug;
        this.status = status;
        this.title = title;
    }

    public String slug() {
        return slug;
    }

    public String uri() {
        return URI_PREFIX + slug;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    /** The problem for a framework-level HTTP error (no route, wrong method, ...); unknown ones fall back by class. */
    public static ProblemType forHttpStatus(int status) {
        for (ProblemType type : values()) {
            if (type.slug.equals("http-" + status)) {
                return type;
            }
        }
        return status >= 500 ? INTERNAL : HTTP_400;
    }
}
