package io.twofa.throttle;

/** The answer to "may this attempt be evaluated?". */
public sealed interface Attempt {

    /** Evaluate it; it already counts as a failure until the counter is cleared. */
    record Allowed() implements Attempt {
    }

    /** Do not evaluate it; try again after this many seconds. */
    record Throttled(long retryAfterSeconds) implements Attempt {
    }

    /** Do not evaluate it; only an admin reset lifts this. */
    record Locked() implements Attempt {
    }
}
