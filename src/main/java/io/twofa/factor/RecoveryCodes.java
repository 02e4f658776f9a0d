package io.twofa.factor;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.smallrye.mutiny.Uni;

/** The recovery factor's part in enrolment: a fresh set of single-use codes comes with every new primary factor. */
public interface RecoveryCodes {

    /** A set as shown once to its owner. */
    record IssuedSet(List<String> codes, Instant generatedAt) {
    }

    /** Replaces the account's set with a new one (the policy's size), in the caller's Hibernate transaction. */
    Uni<IssuedSet> replaceSet(UUID accountId, Instant now);
}
