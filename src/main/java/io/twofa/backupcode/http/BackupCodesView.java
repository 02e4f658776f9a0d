package io.twofa.backupcode.http;

import java.time.Instant;
import java.util.List;

import io.twofa.backupcode.BackupCodeService;

/** A new set of backup codes as JSON. */
public record BackupCodesView(List<String> codes, Instant generatedAt) {

    static BackupCodesView of(BackupCodeService.IssuedSet set) {
        return new BackupCodesView(set.codes(), set.generatedAt());
    }
}
