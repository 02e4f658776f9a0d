package io.twofa.backupcode;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.twofa.audit.AuditType;
import io.twofa.crypto.SecretCipher;
import io.twofa.database.Sql;
import io.twofa.factor.Evaluation;
import io.twofa.factor.FactorStatus;
import io.twofa.factor.FactorType;
import io.twofa.factor.SecondFactor;
import io.vertx.mutiny.sqlclient.Row;

/**
 * Single-use backup codes as a recovery factor (SPEC §6): they come with a primary factor and stand in for it once
 * each. Single use is one conditional UPDATE; the login answer tells how many remain.
 */
@ApplicationScoped
public class BackupCodeFactor implements SecondFactor {

    public static final FactorType TYPE = new FactorType("backup_code");
    /** At or below this many codes left, the login answer suggests a new set. */
    static final int REGENERATE_AT_OR_BELOW = 3;

    private final BackupCodeRepository codes;
    private final SecretCipher cipher;

    BackupCodeFactor(BackupCodeRepository codes, SecretCipher cipher) {
        this.codes = codes;
        this.cipher = cipher;
    }

    @Override
    public FactorType type() {
        return TYPE;
    }

    @Override
    public String inputField() {
        return "backup_code";
    }

    @Override
    public boolean primary() {
        return false;
    }

    @Override
    public List<AuditType> extraEvents() {
        return List.of(AuditType.BACKUP_CODE_USED);
    }

    @Override
    public Sql load(UUID accountId) {
        return BackupCodeRepository.countUnusedSql(accountId);
    }

    /**
     * Wrong, malformed and used codes are indistinguishable to the caller: a well-formed code is "matched" here and
     * the database decides (a keyed hash under every configured key, so codes made before a key rotation still match).
     */
    @Override
    public Evaluation evaluate(UUID accountId, Row loaded, String input, Instant now) {
        Optional<String> canonical = BackupCodeFormat.canonical(input);
        if (canonical.isEmpty()) {
            return new Evaluation.Rejected();
        }
        List<byte[]> hashes = cipher.keyIds().stream().map(id -> cipher.keyedHash(id, canonical.get())).toList();
        long remaining = Math.max(0, (loaded == null ? 0 : loaded.getLong("backup_unused")) - 1);
        return new Evaluation.Matched(BackupCodeRepository.consumeOnceSql(accountId, hashes, now),
                remaining <= REGENERATE_AT_OR_BELOW
                        ? Map.of("backup_codes_remaining", remaining, "regenerate_backup_codes", true)
                        : Map.of("backup_codes_remaining", remaining),
                AuditType.BACKUP_CODE_USED, remaining + " remaining");
    }

    @Override
    public Uni<FactorStatus> status(UUID accountId) {
        return codes.countUnused(accountId).flatMap(n -> codes.anyOf(accountId)
                .map(any -> new FactorStatus(TYPE, false, any != null, any == null ? null : any.generatedAt, n)));
    }

    @Override
    public Uni<Void> remove(UUID accountId) {
        return codes.deleteSetOf(accountId).replaceWithVoid();
    }
}
