package io.twofa.error;

/** 403: authenticated, but this action is not allowed for this account or token. */
public class ForbiddenProblem extends ProblemException {

    public ForbiddenProblem(String type, String detail) {
        super(403, type, "Forbidden", detail);
    }
}
