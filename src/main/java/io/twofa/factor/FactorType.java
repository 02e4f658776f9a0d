package io.twofa.factor;

import java.util.regex.Pattern;

/**
 * The name of a kind of second factor ({@code totp}, {@code backup_code}): in tokens ({@code factor} claim), audit
 * details and metric labels. Each factor package declares its own; {@link SecondFactors} enumerates those present, so
 * a new factor needs no change here.
 */
public record FactorType(String wireName) {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,15}");

    public FactorType {
        if (!NAME.matcher(wireName).matches()) {
            throw new IllegalArgumentException("factor names are 1-16 of [a-z0-9_], starting with a letter: " + wireName);
        }
    }

    @Override
    public String toString() {
        return wireName;
    }
}
