package io.twofa.error;

import java.util.Map;

/** 400: a field is missing or has a value the service does not accept. */
public class InvalidInputException extends ProblemException {

    private final String field;

    public InvalidInputException(String field, String detail) {
        super(400, "invalid-input", "Invalid input", detail);
        this.field = field;
    }

    @Override
    public Map<String, Object> extensions() {
        return field == null ? Map.of() : Map.of("field", field);
    }
}
