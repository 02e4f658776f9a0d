package io.twofa.account;

import java.util.Arrays;
import java.util.Locale;

/** What an account may do. {@code client}: Client User of the review site, exempt from two-factor. */
public enum Role {
    ADMIN, USER, CLIENT;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role fromWire(String value) {
        return Arrays.stream(values()).filter(r -> r.wireName().equals(value)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(value));
    }
}
