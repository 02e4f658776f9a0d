package io.twofa.error;

/** 409: the request contradicts the current state (e.g. a login that exists, no authenticator yet). */
public class ConflictProblem extends ProblemException {

    public ConflictProblem(String type, String detail) {
        super(409, type, "Conflict", detail);
    }
}
