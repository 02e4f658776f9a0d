package io.twofa.backupcode;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One single-use backup code, stored only as a keyed hash. */
@Entity
@Table(name = "backup_code")
public class BackupCode {

    @Id
    public UUID id;
    public UUID accountId;
    /** Id of the server key used for the HMAC. */
    public String hashKeyId;
    public byte[] codeHash;
    public Instant generatedAt;
    public Instant usedAt;
}
