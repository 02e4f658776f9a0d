package io.twofa.backupcode;

import java.security.SecureRandom;
import java.util.Locale;
import java.util.Optional;

/**
 * Backup codes as people read, type and print them: 16 symbols from a 31-letter alphabet without 0/O/1/I/L
 * (16 x log2(31) = 79 bits), shown as {@code XXXX-XXXX-XXXX-XXXX}.
 */
public final class BackupCodeFormat {

    static final String ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    static final int LENGTH = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    private BackupCodeFormat() {
    }

    /** A new code in canonical form (no dashes). */
    public static String generate() {
        StringBuilder code = new StringBuilder(LENGTH);
        for (int i = 0; i < LENGTH; i++) {
            code.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return code.toString();
    }

    /** Groups of four for reading. */
    public static String display(String canonical) {
        return String.join("-", canonical.substring(0, 4), canonical.substring(4, 8), canonical.substring(8, 12),
                canonical.substring(12, 16));
    }

    /** Accepts any case, with or without dashes and spaces; empty when it cannot be a code. */
    public static Optional<String> canonical(String input) {
        if (input == null || input.length() > 64) {
            return Optional.empty();
        }
        String s = input.replace("-", "").replace(" ", "").toUpperCase(Locale.ROOT);
        if (s.length() != LENGTH) {
            return Optional.empty();
        }
        for (int i = 0; i < s.length(); i++) {
            if (ALPHABET.indexOf(s.charAt(i)) < 0) {
                return Optional.empty();
            }
        }
        return Optional.of(s);
    }
}
