package io.twofa.database;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Singleton;

import io.quarkus.reactive.pg.client.PgPoolCreator;
import io.twofa.config.TwofaConfig;
import io.vertx.core.Future;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.spi.PgDriver;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

/**
 * Builds the reactive PostgreSQL pool (used by Hibernate Reactive) with bounded waits, so that while the database
 * is down a request fails within a few seconds (answered 503) instead of hanging for Vert.x' defaults (60 s to
 * connect, 30 s in the pool's queue) and a statement cache on each connection. Everything else comes from the
 * {@code quarkus.datasource.*} configuration.
 */
@Singleton
public class DatabasePool implements PgPoolCreator {

    /** Longer than any statement the service composes (the longest, the password reservation, is about 7,000). */
    static final int STATEMENT_CACHE_SQL_LIMIT = 65_536;

    private final TwofaConfig config;

    DatabasePool(TwofaConfig config) {
        this.config = config;
    }

    @Override
    public Pool create(Input input) {
        int connectMillis = (int) Math.min(Integer.MAX_VALUE, config.database().connectTimeout().toMillis());
        for (PgConnectOptions options : input.pgConnectOptionsList()) {
            options.setConnectTimeout(connectMillis);
            // Named, reused server-side statements: PostgreSQL then parses once per connection and, after five runs,
            // keeps a generic plan. Without this each execution was parsed and planned anew, and planning the
            // password throttle's statement alone cost 1.3 ms of PostgreSQL CPU per login (docs/performance.md).
            // The client's default limit (2048 characters) would leave exactly the long composed statements out.
            options.setCachePreparedStatements(true);
            options.setPreparedStatementCacheSqlLimit(STATEMENT_CACHE_SQL_LIMIT);
        }
        PoolOptions pool = input.poolOptions();
        pool.setConnectionTimeout((int) Math.min(Integer.MAX_VALUE, config.database().acquireTimeout().toMillis()));
        pool.setConnectionTimeoutUnit(TimeUnit.MILLISECONDS);
        // as Quarkus does without a creator: one server (or round robin over several)
        List<PgConnectOptions> servers = input.pgConnectOptionsList();
        AtomicInteger next = new AtomicInteger();
        return PgDriver.INSTANCE.createPool(input.vertx(),
                () -> Future.succeededFuture(servers.get(Math.floorMod(next.getAndIncrement(), servers.size()))), pool);
    }
}
