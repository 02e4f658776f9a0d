package io.twofa.token;

/** The two kinds of token. Each differs in {@code typ} header and audience, and each endpoint accepts one. */
public enum TokenKind {
    /** Proves the password step only; accepted by enrolment and verification. */
    CHALLENGE("twofa-challenge+jwt"),
    /** Proves the full login; accepted by every protected endpoint (RFC 9068 type). */
    ACCESS("at+jwt");

    private final String type;

    TokenKind(String type) {
        this.type = type;
    }

    public String type() {
        return type;
    }
}
