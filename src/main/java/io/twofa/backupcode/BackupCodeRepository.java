package io.twofa.backupcode;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import io.twofa.database.Sql;

@ApplicationScoped
class BackupCodeRepository implements PanacheRepositoryBase<BackupCode, UUID> {

    /** Voids the whole set (used or not). */
    public Uni<Long> deleteSetOf(UUID accountId) {
        return delete("accountId", accountId);
    }

    /**
     * Single use as a database fact, as a piece of a composed statement: marks the code used only if it is unused and
     * returns a row only then. Of N concurrent requests with one code, exactly one gets the row.
     */
    static Sql consumeOnceSql(UUID accountId, List<byte[]> candidateHashes, Instant now) {
        return Sql.of("update backup_code set used_at = :backup_now where account_id = :account_id "
                + "and code_hash = any(:backup_hashes) and used_at is null returning 1",
                "backup_now", now, "account_id", accountId, "backup_hashes", candidateHashes);
    }

    /** How many codes are unused, for the verification's first statement (column {@code backup_unused}). */
    static Sql countUnusedSql(UUID accountId) {
        return Sql.of("select count(*) as backup_unused from backup_code where account_id = :account_id and used_at is null",
                "account_id", accountId);
    }

    public Uni<Long> countUnused(UUID accountId) {
        return count("accountId = ?1 and usedAt is null", accountId);
    }

    public Uni<BackupCode> anyOf(UUID accountId) {
        return find("accountId", accountId).firstResult();
    }
}
