package io.twofa.session;

import java.time.Instant;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
public class RefreshTokenRepository implements PanacheRepositoryBase<RefreshToken, UUID> {

    /** Lookup by the unique index on the hash (see {@link RefreshTokenValue} for why that is safe). */
    public Uni<RefreshToken> findByHash(byte[] hash) {
        return find("tokenHash", hash).firstResult();
    }

    /**
     * Spends a token once: marks it rotated only if no one did before and its family is live. 1 = this request
     * won the rotation. Concurrent requests with one token queue on the row lock; after the winner commits (its
     * successor with it), PostgreSQL re-checks the condition for the others, which then see 0 and can find the
     * winner's successor.
     */
    public Uni<Integer> rotateOnce(UUID tokenId, Instant now) {
        return update("rotatedAt = ?1 where id = ?2 and rotatedAt is null and exists "
                + "(select 1 from RefreshFamily f where f.id = familyId and f.revokedAt is null)", now, tokenId);
    }

    /** When the token was rotated, read afresh (after losing {@link #rotateOnce} the loaded entity is stale); null: not. */
    public Uni<Instant> rotatedAt(UUID tokenId) {
        return Panache.getSession().chain(s -> s.createSelectionQuery("select t.rotatedAt from RefreshToken t where t.id = :id",
                Instant.class).setParameter("id", tokenId).getSingleResultOrNull());
    }
}
