package io.twofa.error;

/** 401: credentials missing or wrong. One wording per situation, so answers never tell which part was wrong. */
public class UnauthenticatedException extends ProblemException {

    public UnauthenticatedException(String detail) {
        super(401, "unauthenticated", "Authentication failed", detail);
    }

    public static UnauthenticatedException badLogin() {
        return new UnauthenticatedException("The login or password is incorrect.");
    }

    public static UnauthenticatedException badCode() {
        return new UnauthenticatedException("The code is incorrect.");
    }

    public static UnauthenticatedException badPassword() {
        return new UnauthenticatedException("The password is incorrect.");
    }
}
