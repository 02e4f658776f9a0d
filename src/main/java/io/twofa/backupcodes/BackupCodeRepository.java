package io.twofa.backupcodes;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
public class BackupCodeRepository implements PanacheRepositoryBase<BackupCode, UUID> {

    /** Voids the whole set (used or not). */
    public Uni<Long> deleteSetOf(UUID accountId) {
        return delete("accountId", accountId);
    }

    /**
     * Single use as a database fact: marks the code used only if it is unused; 1 = consumed now. Of N
     * concurrent requests with one code, exactly one sees 1.
     */
    public Uni<Integer> consumeOnce(UUID accountId, List<byte[]> candidateHashes, Instant now) {
        return update("usedAt = ?1 where accountId = ?2 and codeHash in ?3 and usedAt is null", now, accountId,
                candidateHashes);
    }

    public Uni<Long> countUnused(UUID accountId) {
        return count("accountId = ?1 and usedAt is null", accountId);
    }

    public Uni<BackupCode> anyOf(UUID accountId) {
        return find("accountId", accountId).firstResult();
    }
}
