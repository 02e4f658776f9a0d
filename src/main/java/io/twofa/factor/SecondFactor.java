package io.twofa.factor;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.smallrye.mutiny.Uni;
import io.twofa.audit.AuditType;
import io.twofa.database.Sql;
import io.vertx.mutiny.sqlclient.Row;

/**
 * One kind of second factor: the seam through which verification, account views, resets, metrics and audit reach
 * every factor without naming any. Implementations are CDI beans in their own package (see package-info).
 */
public interface SecondFactor {

    FactorType type();

    /** The member of the verify request body that carries this factor's input, e.g. {@code code}. */
    String inputField();

    /** Primary factors are set up by the user and make an account "enrolled"; recovery factors come with them. */
    boolean primary();

    /**
     * What {@link #evaluate} needs, read in the verification's first statement: a query returning at most one row for
     * the account, with column names prefixed by the factor's name (they share a row with other owners' columns).
     */
    Sql load(UUID accountId);

    /** Checks the input against what {@link #load} read ({@code loaded} null: nothing was found), without I/O. */
    Evaluation evaluate(UUID accountId, Row loaded, String input, Instant now);

    /** The factor's state for the account; joins the caller's Hibernate session. */
    Uni<FactorStatus> status(UUID accountId);

    /**
     * For primary factors: a query of the ids (column {@code account_id}) of the accounts that have this factor set up,
     * for account listings filtered by enrolment. Recovery factors need none.
     */
    default Sql enrolledAccounts() {
        return null;
    }

    /** Audit events of the factor's own, besides the common ones ({@link SecondFactors#EVENTS}). */
    default List<AuditType> extraEvents() {
        return List.of();
    }

    /** Removes all of this factor for the account, in the caller's Hibernate transaction (admin reset). */
    Uni<Void> remove(UUID accountId);
}
