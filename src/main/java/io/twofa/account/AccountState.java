package io.twofa.account;

import java.util.Arrays;
import java.util.Locale;

/** Whether an account may log in. A disabled account keeps its data and can be enabled again. */
public enum AccountState {
    ACTIVE, DISABLED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static AccountState fromWire(String value) {
        return Arrays.stream(values()).filter(s -> s.wireName().equals(value)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(value));
    }
}
