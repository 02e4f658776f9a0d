package io.twofa.backupcode;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BackupCodeFormatTest {

    @Test
    void codesHaveAtLeast64BitsFromAnUnambiguousAlphabet() {
        assertThat(BackupCodeFormat.ALPHABET).doesNotContain("0", "O", "1", "I", "L");
        double bits = BackupCodeFormat.LENGTH * Math.log(BackupCodeFormat.ALPHABET.length()) / Math.log(2);
        assertThat(bits).isGreaterThanOrEqualTo(64);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            String code = BackupCodeFormat.generate();
            assertThat(code).hasSize(16).matches("[" + BackupCodeFormat.ALPHABET + "]+");
            seen.add(code);
        }
        assertThat(seen).hasSize(2000);
    }

    @Test
    void displayGroupsByFour() {
        assertThat(BackupCodeFormat.display("7KQMX3TD9PWRHN4C")).isEqualTo("7KQM-X3TD-9PWR-HN4C");
    }

    @ParameterizedTest
    @ValueSource(strings = { "7KQM-X3TD-9PWR-HN4C", "7kqm-x3td-9pwr-hn4c", "7KQMX3TD9PWRHN4C", "7KQM X3TD 9PWR HN4C",
            " 7kqm-X3TD 9pwr-HN4C " })
    void inputIsNormalised(String input) {
        assertThat(BackupCodeFormat.canonical(input)).hasValue("7KQMX3TD9PWRHN4C");
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "7KQM-X3TD-9PWR-HN4", "7KQM-X3TD-9PWR-HN4CC", "0KQM-X3TD-9PWR-HN4C", "7KQM_X3TD_9PWR_HN4C",
            "'; drop table backup_code; --", "７KQM-X3TD-9PWR-HN4C" })
    void nonCodesAreRejected(String input) {
        assertThat(BackupCodeFormat.canonical(input)).isEmpty();
    }
}
