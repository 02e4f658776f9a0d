package io.twofa.login;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.twofa.database.Sql;
import io.twofa.database.Statement;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;

/**
 * The two statements of a verification, composed of the pieces their owners write (account, policy, challenge,
 * factor, throttle, audit): what joins them is here, the SQL on each table stays with its owner. Run on the reactive
 * SQL client, outside Hibernate: a verify runs on every login of the site (bench/, docs/performance.md).
 */
@ApplicationScoped
class VerificationRepository {

    private final Pool pool;

    VerificationRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * What evaluating an attempt needs, in one row: the account's facts, the policy's, whether the challenge was spent,
     * and the factor's own (null columns when the factor holds nothing). No row when the account is gone.
     */
    static Sql attemptFacts(Sql account, Sql policy, Sql challenge, Sql factor) {
        return Sql.compose("select * from ({0}) as acc cross join ({1}) as pol cross join ({2}) as chal "
                + "left join lateral ({3}) as fac on true", account, policy, challenge, factor);
    }

    /** In place of a challenge's spent flag (column {@code challenge_spent}) when there is no challenge (step-up). */
    static Sql noChallenge() {
        return Sql.of("select false as challenge_spent");
    }

    /** The count of rows a common table expression returned, as the statement's one column {@code n}. */
    static Sql countOf(String cte) {
        return Sql.of("select count(*) as n from " + cte);
    }

    /** Runs a composed statement (autocommit: one statement is its own transaction) and returns its first row. */
    Uni<Row> run(Statement.Rendered statement) {
        return pool.preparedQuery(statement.sql()).execute(statement.args())
                .map(rows -> rows.iterator().hasNext() ? rows.iterator().next() : null);
    }
}
