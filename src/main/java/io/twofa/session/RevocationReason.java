package io.twofa.session;

/**
 * Why a session (refresh-token family) ended: kept in {@code refresh_family.revoked_reason}, in the audit detail, and
 * told to its client as the {@code reason} of a {@code session-revoked} problem. Other features name a reason through
 * these constants (the repository is the session feature's own).
 */
public final class RevocationReason {

    public static final String LOGOUT = "logout";
    public static final String REUSE = "reuse";
    public static final String REVOKED_BY_USER = "revoked_by_user";
    public static final String REVOKED_BY_ADMIN = "revoked_by_admin";
    public static final String SECOND_FACTOR_RESET = "second_factor_reset";
    public static final String SECOND_FACTOR_CHANGED = "second_factor_changed";
    public static final String PASSWORD_CHANGED = "password_changed";
    public static final String TWO_FACTOR_SWITCHED_ON = "two_factor_switched_on";
    public static final String TWO_FACTOR_REQUIRED = "two_factor_required";
    /** For the account feature, when an account is disabled. */
    public static final String ACCOUNT_DISABLED = "account_disabled";

    private RevocationReason() {
    }
}
