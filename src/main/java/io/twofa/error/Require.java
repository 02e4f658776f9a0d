package io.twofa.error;

import java.util.Set;

/** Input checks that name the offending field in the 400 problem. */
public final class Require {

    private Require() {
    }

    public static <T> T body(T body) {
        if (body == null) {
            throw ProblemException.invalidInput(null, "A JSON request body is required.");
        }
        return body;
    }

    /** A string of {@code min..max} characters with no control characters. */
    public static String text(String field, String value, int min, int max) {
        if (value == null) {
            throw ProblemException.invalidInput(field, "'" + field + "' is required.");
        }
        if (value.length() < min || value.length() > max) {
            throw ProblemException.invalidInput(field, "'" + field + "' must have " + min + " to " + max + " characters.");
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw ProblemException.invalidInput(field, "'" + field + "' must not contain control characters.");
        }
        return value;
    }

    public static String oneOf(String field, String value, Set<String> allowed) {
        if (value == null || !allowed.contains(value)) {
            throw ProblemException.invalidInput(field, "'" + field + "' must be one of " + String.join(", ", allowed.stream().sorted().toList()) + ".");
        }
        return value;
    }

    public static int range(String field, Integer value, int min, int max) {
        if (value == null || value < min || value > max) {
            throw ProblemException.invalidInput(field, "'" + field + "' must be a whole number from " + min + " to " + max + ".");
        }
        return value;
    }
}
