package io.twofa.token;

import java.util.Set;

/** The programs that log in (SPEC §1); recorded in tokens and audit. */
public final class Clients {

    public static final Set<String> ALL = Set.of("web", "desktop", "toolkit", "rv", "review-ios", "cli");
    public static final String DEFAULT = "web";

    private Clients() {
    }
}
