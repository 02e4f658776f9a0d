package io.twofa.backupcode.http;

import java.time.temporal.ChronoUnit;

import io.twofa.backupcode.BackupCodeService;

/** The "save as text file" / "print" form of a set (the web page writes the same format). */
public final class BackupCodesText {

    private BackupCodesText() {
    }

    public static String of(BackupCodeService.IssuedSet set) {
        StringBuilder text = new StringBuilder();
        text.append(set.issuer()).append(" backup codes for ").append(set.login()).append('\n');
        text.append("Generated ").append(set.generatedAt().truncatedTo(ChronoUnit.SECONDS)).append("\n\n");
        for (int i = 0; i < set.codes().size(); i++) {
            // "\n" everywhere, whatever the server's platform
            text.append(String.format("%2d. %s", i + 1, set.codes().get(i))).append('\n');
        }
        text.append("\nEach code works once, in place of an authenticator code; generating new codes voids these.\n");
        return text.toString();
    }
}
