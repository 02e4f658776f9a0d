package io.twofa.totp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;

import io.twofa.crypto.Base32Secret;

class TotpTest {

    private static final byte[] SEED20 = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SEED32 = "12345678901234567890123456789012".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SEED64 = "1234567890123456789012345678901234567890123456789012345678901234"
            .getBytes(StandardCharsets.US_ASCII);

    /** RFC 6238 Appendix B: every time, each algorithm with its own seed length, 8 digits. */
    @ParameterizedTest(name = "T={0} {1} -> {2}")
    @CsvSource({
            "59, HmacSHA1, 94287082", "59, HmacSHA256, 46119246", "59, HmacSHA512, 90693936",
            "1111111109, HmacSHA1, 07081804", "1111111109, HmacSHA256, 68084774", "1111111109, HmacSHA512, 25091201",
            "1111111111, HmacSHA1, 14050471", "1111111111, HmacSHA256, 67062674", "1111111111, HmacSHA512, 99943326",
            "1234567890, HmacSHA1, 89005924", "1234567890, HmacSHA256, 91819424", "1234567890, HmacSHA512, 93441116",
            "2000000000, HmacSHA1, 69279037", "2000000000, HmacSHA256, 90698825", "2000000000, HmacSHA512, 38618901",
            "20000000000, HmacSHA1, 65353130", "20000000000, HmacSHA256, 77737706", "20000000000, HmacSHA512, 47863826" })
    void rfc6238AppendixB(long unixSeconds, String algorithm, String expected) {
        byte[] seed = switch (algorithm) {
            case "HmacSHA1" -> SEED20;
            case "HmacSHA256" -> SEED32;
            default -> SEED64;
        };
        long step = Totp.step(Instant.ofEpochSecond(unixSeconds));
        assertThat(Totp.format(Totp.hotp(seed, step, algorithm, 8), 8)).isEqualTo(expected);
    }

    /** RFC 4226 Appendix D: HOTP values for counters 0..9. */
    @ParameterizedTest(name = "counter {0} -> {1}")
    @CsvSource({ "0, 755224", "1, 287082", "2, 359152", "3, 969429", "4, 338314", "5, 254676", "6, 287922",
            "7, 162583", "8, 399871", "9, 520489" })
    void rfc4226AppendixD(long counter, String expected) {
        assertThat(Totp.format(Totp.hotp(SEED20, counter, Totp.HMAC_SHA1, 6), 6)).isEqualTo(expected);
    }

    @Test
    void codesWithLeadingZeroKeepTheirSixDigits() {
        // RFC 6238 gives 07081804 (8 digits) at 1111111109: its 6-digit code starts with 0
        String code = Totp.code(SEED20, Instant.ofEpochSecond(1111111109));
        assertThat(code).isEqualTo("081804").hasSize(6);
        assertThat(Totp.matchingStep(SEED20, "081804", Instant.ofEpochSecond(1111111109), 1)).isPresent();
        assertThat(Totp.matchingStep(SEED20, "81804", Instant.ofEpochSecond(1111111109), 1)).isEmpty();
    }

    @Test
    void timesBeyond2038Work() {
        Instant after2038 = Instant.parse("2039-01-19T03:14:08Z");
        assertThat(Totp.step(after2038)).isGreaterThan(Integer.MAX_VALUE / 30L);
        assertThat(Totp.code(SEED20, Instant.ofEpochSecond(20000000000L))).isEqualTo("353130");
        assertThat(Totp.matchingStep(SEED20, Totp.code(SEED20, after2038), after2038, 1)).hasValue(Totp.step(after2038));
    }

    @Test
    void windowAcceptsOneStepEitherSideAndNoMore() {
        Instant now = Instant.parse("2026-11-28T10:00:15Z");
        long t = Totp.step(now);
        Set<String> distinct = new HashSet<>();
        for (int offset = -2; offset <= 2; offset++) {
            distinct.add(Totp.format(Totp.hotp(SEED20, t + offset, Totp.HMAC_SHA1, 6), 6));
        }
        assertThat(distinct).as("the five codes differ, so the test can tell them apart").hasSize(5);
        for (int offset = -2; offset <= 2; offset++) {
            String code = Totp.format(Totp.hotp(SEED20, t + offset, Totp.HMAC_SHA1, 6), 6);
            if (Math.abs(offset) <= 1) {
                assertThat(Totp.matchingStep(SEED20, code, now, 1)).as("step T%+d", offset).hasValue(t + offset);
            } else {
                assertThat(Totp.matchingStep(SEED20, code, now, 1)).as("step T%+d", offset).isEmpty();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "12345", "1234567", "12345a", "１２３４５６", "١٢٣٤٥٦", " 12345", "12345 ", "-12345" })
    void malformedCodesNeverMatch(String code) {
        assertThat(Totp.matchingStep(SEED20, code, Instant.now(), 1)).isEmpty();
    }

    @Test
    void agreesWithIndependentImplementation() throws Exception {
        TimeBasedOneTimePasswordGenerator reference = new TimeBasedOneTimePasswordGenerator(Duration.ofSeconds(30), 6);
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < 200; i++) {
            byte[] key = new byte[20];
            random.nextBytes(key);
            Instant at = Instant.ofEpochSecond(random.nextLong(0, 40_000_000_000L));
            int expected = reference.generateOneTimePassword(new SecretKeySpec(key, "HmacSHA1"), at);
            assertThat(Totp.code(key, at)).isEqualTo(Totp.format(expected, 6));
        }
    }

    @Test
    void secretsAre160RandomBitsInUnpaddedBase32() {
        byte[] a = Base32Secret.generate();
        byte[] b = Base32Secret.generate();
        assertThat(a).hasSize(20).isNotEqualTo(b);
        String encoded = Base32Secret.encode(a);
        assertThat(encoded).hasSize(32).matches("[A-Z2-7]+");
        assertThat(Base32Secret.decode(encoded)).isEqualTo(a);
        // RFC 4648 test vector
        assertThat(Base32Secret.encode("foobar".getBytes(StandardCharsets.US_ASCII))).isEqualTo("MZXW6YTBOI");
    }
}
