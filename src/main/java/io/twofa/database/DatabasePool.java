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
 * connect, 30 s in the pool's queue). Everything else comes from the {@code quarkus.datasource.*} configuration.
 */
@Singleton
public class DatabasePool implements PgPoolCreator {

    private final TwofaConfig config;

    DatabasePool(TwofaConfig config) {
        this.config = config;
    }

    @Override
    public Pool create(Input input) {
        int connectMillis = (int) Math.min(Integer.MAX_VALUE, config.database().connectTimeout().toMillis());
        for (PgConnectOptions options : input.pgConnectOptionsList()) {
            options.setConnectTimeout(connectMillis);
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
