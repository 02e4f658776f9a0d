package io.twofa.factor;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.StreamSupport;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.twofa.audit.AuditMetrics;
import io.twofa.audit.AuditType;
import io.twofa.database.Sql;

/** Every second factor present (primary ones first, then by name): the one enumeration the rest of the service uses. */
@ApplicationScoped
public class SecondFactors {

    /** The audit events every factor has. */
    public static final List<AuditType> EVENTS = List.of(AuditType.SECOND_FACTOR_SUCCEEDED, AuditType.SECOND_FACTOR_FAILED,
            AuditType.SECOND_FACTOR_THROTTLED, AuditType.SECOND_FACTOR_LOCKED);

    private final List<SecondFactor> factors;
    private final List<SecondFactor> primaries;

    SecondFactors(Instance<SecondFactor> all, AuditMetrics metrics) {
        this.factors = StreamSupport.stream(all.spliterator(), false)
                .sorted(Comparator.comparing((SecondFactor f) -> !f.primary()).thenComparing(f -> f.type().wireName()))
                .toList();
        this.primaries = factors.stream().filter(SecondFactor::primary).toList();
        for (SecondFactor factor : factors) {
            metrics.declareFactor(factor.type().wireName(), EVENTS);
            metrics.declareFactor(factor.type().wireName(), factor.extraEvents());
        }
    }

    public List<SecondFactor> all() {
        return factors;
    }

    public List<FactorType> types() {
        return factors.stream().map(SecondFactor::type).toList();
    }

    /** The factor whose input travels in {@code field} of the verify request. */
    public Optional<SecondFactor> byInputField(String field) {
        return factors.stream().filter(f -> f.inputField().equals(field)).findFirst();
    }

    /** Each factor's state, in the caller's Hibernate session (one query after the other: a session is not shared). */
    public Uni<List<FactorStatus>> statusOf(UUID accountId) {
        return statuses(factors, accountId).collect().asList();
    }

    /** Whether the account has set up a primary factor (it can then log in with a second factor). */
    public Uni<Boolean> anyPrimaryEnrolled(UUID accountId) {
        // asked on every login: only primary factors count, and the first one set up answers (no query of the others)
        return statuses(primaries, accountId).filter(FactorStatus::enrolled).toUni().map(first -> first != null);
    }

    private static Multi<FactorStatus> statuses(List<SecondFactor> of, UUID accountId) {
        return Multi.createFrom().iterable(of).onItem().transformToUniAndConcatenate(f -> f.status(accountId));
    }

    /**
     * For each primary factor, the query of the ids (column {@code account_id}) of the accounts that have set it up, for
     * an account listing (composed by the account repository).
     */
    public List<Sql> enrolledAccounts() {
        return primaries.stream().map(SecondFactor::enrolledAccounts)
                .filter(java.util.Objects::nonNull).toList();
    }

    /** Removes every factor of the account, in the caller's Hibernate transaction. */
    public Uni<Void> removeAll(UUID accountId) {
        return Multi.createFrom().iterable(factors).onItem().transformToUniAndConcatenate(f -> f.remove(accountId))
                .collect().last().replaceWithVoid();
    }

}
