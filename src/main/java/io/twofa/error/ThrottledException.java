package io.twofa.error;

import java.util.Map;

/** 429: too many consecutive failures; the attempt was not evaluated. */
public class ThrottledException extends ProblemException {

    private final long retryAfterSeconds;

    public ThrottledException(long retryAfterSeconds) {
        super(429, "throttled", "Too many attempts",
                "Too many failed attempts. Try again in " + retryAfterSeconds + " seconds.");
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    @Override
    public Map<String, Object> extensions() {
        return Map.of("retry_after", retryAfterSeconds);
    }

    @Override
    public Map<String, String> headers() {
        return Map.of("Retry-After", Long.toString(retryAfterSeconds));
    }
}
