package io.twofa.factor;

import java.util.Map;

import io.twofa.audit.AuditType;
import io.twofa.database.Sql;

/** The outcome of checking an input against a factor, before anything is stored. */
public sealed interface Evaluation {

    /** Wrong, malformed or not applicable: nothing is spent. */
    record Rejected() implements Evaluation {
    }

    /**
     * The input matches what the factor holds. {@code spend} consumes it (replay guard, single-use code): a
     * data-modifying query that returns one row when it consumed the input now and none when it was consumed before;
     * the verification composes it with the rest of the login into one statement. {@code answer}: extra members of the
     * login answer (e.g. codes remaining); {@code extraEvent}/{@code extraDetail}: one more audit event of the factor's
     * own, or null.
     */
    record Matched(Sql spend, Map<String, Object> answer, AuditType extraEvent, String extraDetail) implements Evaluation {
    }
}
