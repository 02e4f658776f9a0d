package io.twofa.throttle;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import org.hibernate.annotations.Immutable;

/**
 * A row of {@code attempt_counter}, read-only here: {@link AttemptThrottle} changes counters with conditional SQL
 * statements. Mapped so that reading one is a query Hibernate can cache the plan of (see {@link AttemptThrottle#state}).
 */
@Entity
@Immutable
@Table(name = "attempt_counter")
@IdClass(AttemptCounter.Key.class)
class AttemptCounter {

    @Id
    String scope;
    @Id
    String subject;
    int failures;
    Instant blockedUntil;
    boolean locked;
    Instant updatedAt;

    /** The primary key: which counter ({@code scope}) of which account or login ({@code subject}). */
    static class Key implements Serializable {
        String scope;
        String subject;

        Key() {
        }

        Key(String scope, String subject) {
            this.scope = scope;
            this.subject = subject;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(scope, k.scope) && Objects.equals(subject, k.subject);
        }

        @Override
        public int hashCode() {
            return Objects.hash(scope, subject);
        }
    }
}
