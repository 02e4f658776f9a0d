package io.twofa.operations;

import java.util.Map;

import io.twofa.error.ProblemException;

/** A login or verification that did not finish in time (a database that does not answer): 503, try again. */
public class DeadlineExceeded extends ProblemException {

    public DeadlineExceeded() {
        super(503, "unavailable", "Service unavailable", "The database did not answer in time; try again shortly.");
    }

    @Override
    public Map<String, String> headers() {
        return Map.of("Retry-After", "5");
    }
}
