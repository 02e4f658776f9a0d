package io.twofa.error;

/** 404: the named thing does not exist. */
public class NotFoundProblem extends ProblemException {

    public NotFoundProblem(String detail) {
        super(404, "not-found", "Not found", detail);
    }

    /** The admin endpoints' answer for a login that names no account. */
    public static NotFoundProblem account(String login) {
        return new NotFoundProblem("No account with login '" + login + "'.");
    }
}
