package io.twofa.error;

/** 404: the named thing does not exist. */
public class NotFoundProblem extends ProblemException {

    public NotFoundProblem(String detail) {
        super(404, "not-found", "Not found", detail);
    }
}
