package io.twofa.token;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.twofa.database.Sql;
import io.twofa.database.Statement;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;

/** All SQL on {@code signing_key}: what the instances have seen of the signing keys (see {@link KeySchedule}). */
@ApplicationScoped
class SigningKeyRepository {

    /** One row: the facts, and the public key (X.509 DER) every instance publishes for the kid. */
    record Stored(KeySchedule.KeyFacts facts, byte[] publicKey) {
    }

    private final Pool pool;

    SigningKeyRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * Records that this instance has the files {@code kids} (with the public keys {@code publicKeys}) at {@code now}:
     * new kids are published now; known ones are seen again, unless the stored public key differs (a kid is never
     * given a second key: the first one stays, and the caller refuses the file).
     */
    Uni<Void> recordSeen(List<String> kids, List<byte[]> publicKeys, Instant now) {
        if (kids.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Statement.Rendered statement = Statement.of(Sql.of("""
                insert into signing_key (kid, public_key, published_at, last_seen_at)
                select seen.kid, seen.public_key, :now, :now
                from unnest(cast(:kids as text[]), cast(:keys as bytea[])) as seen(kid, public_key)
                on conflict (kid) do update set last_seen_at = greatest(signing_key.last_seen_at, excluded.last_seen_at)
                where signing_key.public_key = excluded.public_key""",
                "now", now, "kids", kids.toArray(String[]::new), "keys", publicKeys));
        return pool.preparedQuery(statement.sql()).execute(statement.args()).replaceWithVoid();
    }

    /** This instance may sign with {@code kid} until {@code until}: the key stays published for the tokens' sake. */
    Uni<Void> extendSigning(String kid, Instant until) {
        Statement.Rendered statement = Statement.of(Sql.of("""
                update signing_key set signed_until = greatest(coalesce(signed_until, :until), :until)
                where kid = :kid""", "kid", kid, "until", until));
        return pool.preparedQuery(statement.sql()).execute(statement.args()).replaceWithVoid();
    }

    Uni<List<Stored>> all() {
        return pool.query("select kid, public_key, published_at, last_seen_at, signed_until from signing_key").execute()
                .map(rows -> {
                    List<Stored> stored = new ArrayList<>();
                    for (Row row : rows) {
                        var signedUntil = row.getOffsetDateTime("signed_until");
                        stored.add(new Stored(new KeySchedule.KeyFacts(row.getString("kid"),
                                row.getOffsetDateTime("published_at").toInstant(),
                                row.getOffsetDateTime("last_seen_at").toInstant(),
                                signedUntil == null ? null : signedUntil.toInstant()),
                                row.getBuffer("public_key").getBytes()));
                    }
                    return stored;
                });
    }
}
