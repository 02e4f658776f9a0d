package io.twofa.web;

/** Security roles of an authenticated request (set by the bearer-token identity provider). */
public final class Roles {

    /** Any access token (full login), whatever the account's role. */
    public static final String ACCESS = "access";
    /** A challenge token (password step only). Never combined with another role. */
    public static final String CHALLENGE = "challenge";
    /** An access token of an admin account. */
    public static final String ADMIN = "admin";

    private Roles() {
    }
}
