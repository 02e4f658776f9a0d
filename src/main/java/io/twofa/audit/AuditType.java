package io.twofa.audit;

import java.util.Locale;

/** Kinds of audit event. */
public enum AuditType {
    LOGIN_SUCCEEDED, LOGIN_FAILED, LOGIN_THROTTLED,
    SECOND_FACTOR_SUCCEEDED, SECOND_FACTOR_FAILED, SECOND_FACTOR_THROTTLED, SECOND_FACTOR_LOCKED,
    ENROLLMENT_STARTED, ENROLLED, ENROLLMENT_FAILED, SECOND_FACTOR_RESET,
    BACKUP_CODES_ISSUED, BACKUP_CODE_USED,
    POLICY_CHANGED, ACCOUNT_CREATED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
