package io.twofa.session;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
public class RefreshFamilyRepository implements PanacheRepositoryBase<RefreshFamily, UUID> {

    /** Revokes one family unless it is revoked already; 1 = revoked now. */
    public Uni<Integer> revoke(UUID familyId, String reason, Instant now) {
        return update("revokedAt = ?1, revokedReason = ?2 where id = ?3 and revokedAt is null", now, reason, familyId);
    }

    /** Revokes every live family of an account; the number revoked now. */
    public Uni<Integer> revokeAllOf(UUID accountId, String reason, Instant now) {
        return update("revokedAt = ?1, revokedReason = ?2 where accountId = ?3 and revokedAt is null", now, reason, accountId);
    }

    /** Revokes every live family of every account; the number revoked now. */
    public Uni<Integer> revokeEveryone(String reason, Instant now) {
        return update("revokedAt = ?1, revokedReason = ?2 where revokedAt is null", now, reason);
    }

    public Uni<Integer> touch(UUID familyId, Instant now) {
        return update("lastUsedAt = ?1 where id = ?2", now, familyId);
    }

    /**
     * Marks a live family used; 0 when it is revoked. Takes the family's row lock, so a revocation (logout, reuse,
     * an admin) committed before it makes it 0 and one that comes later waits for this request's commit.
     */
    public Uni<Integer> touchLive(UUID familyId, Instant now) {
        // never backwards: a request that started before the winner's may touch after it
        return update("lastUsedAt = case when lastUsedAt < ?1 then ?1 else lastUsedAt end where id = ?2 and revokedAt is null",
                now, familyId);
    }

    /** Whether and why a family was revoked, read afresh (newer than a loaded entity); {@code at} null: live. */
    public record Revocation(Instant at, String reason) {
    }

    public Uni<Revocation> revocation(UUID familyId) {
        return Panache.getSession().chain(s -> s.createSelectionQuery("""
                select new io.twofa.session.RefreshFamilyRepository$Revocation(f.revokedAt, f.revokedReason)
                from RefreshFamily f where f.id = :id""", Revocation.class)
                .setParameter("id", familyId)
                .getSingleResult());
    }

    /**
     * The account's sessions that can still be refreshed, newest first, with the expiry of their current token.
     */
    public Uni<List<LiveSession>> liveSessionsOf(UUID accountId, Instant now) {
        return Panache.getSession().chain(s -> s.createSelectionQuery("""
                select new io.twofa.session.LiveSession(f.id, f.client, f.createdAt, f.lastUsedAt, t.expiresAt)
                from RefreshFamily f, RefreshToken t
                where t.familyId = f.id and f.accountId = :account and f.revokedAt is null and f.absoluteExpiry > :now
                  and t.rotatedAt is null and t.expiresAt > :now
                order by f.createdAt desc, f.id""", LiveSession.class)
                .setParameter("account", accountId)
                .setParameter("now", now)
                .getResultList());
    }
}
