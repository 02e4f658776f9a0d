package io.twofa.throttle;

/**
 * Why a password attempt was not evaluated: the first scope that made it wait. Each has a gate, a common table
 * expression of the reservation's statement that returns a row exactly when the attempt was refused for this reason,
 * so a caller's piece (an audit row) can be written in the same statement.
 */
public enum PasswordRefusal {
    /** The client address is over its budget (failures over all logins). */
    ADDRESS("pw_refused_address", "address budget"),
    /** This login failed too often from this address. */
    LOGIN_AT_ADDRESS("pw_refused_pair", "login at this address"),
    /** The login is over its ceiling of failures from all addresses, and this address may not take the slot. */
    LOGIN_CEILING("pw_refused_ceiling", "login ceiling");

    private final String gate;
    private final String detail;

    PasswordRefusal(String gate, String detail) {
        this.gate = gate;
        this.detail = detail;
    }

    /** The common table expression that returns a row when the attempt was refused for this reason. */
    public String gate() {
        return gate;
    }

    /** A short description for the audit trail (no login, no address). */
    public String detail() {
        return detail;
    }
}
