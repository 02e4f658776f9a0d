package io.twofa.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

class SecretCipherTest {

    private final String k1 = SecretCipher.newKeyBase64();
    private final String k2 = SecretCipher.newKeyBase64();

    @Test
    void sealsWithTheCurrentKeyAndOpensWithAnyConfiguredOne() {
        SecretCipher before = new SecretCipher(Map.of("k1", k1), "k1");
        SecretCipher.Sealed old = before.seal("secret-1".getBytes(), "owner");
        SecretCipher after = new SecretCipher(Map.of("k1", k1, "k2", k2), "k2");
        SecretCipher.Sealed fresh = after.seal("secret-2".getBytes(), "owner");
        assertThat(old.keyId()).isEqualTo("k1");
        assertThat(fresh.keyId()).isEqualTo("k2");
        assertThat(after.open(old, "owner")).isEqualTo("secret-1".getBytes());
        assertThat(after.open(fresh, "owner")).isEqualTo("secret-2".getBytes());
    }

    @Test
    void ciphertextHidesThePlaintextAndDiffersEachTime() {
        SecretCipher cipher = new SecretCipher(Map.of("k1", k1), "k1");
        byte[] secret = Base32Secret.generate();
        SecretCipher.Sealed a = cipher.seal(secret, "owner");
        SecretCipher.Sealed b = cipher.seal(secret, "owner");
        assertThat(a.data()).isNotEqualTo(b.data());
        assertThat(new String(a.data(), java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain(Base32Secret.encode(secret));
        assertThat(a.data().length).isEqualTo(12 + secret.length + 16);
    }

    @Test
    void refusesTamperedDataAndAnotherOwner() {
        SecretCipher cipher = new SecretCipher(Map.of("k1", k1), "k1");
        SecretCipher.Sealed sealed = cipher.seal("secret".getBytes(), "alice");
        assertThatThrownBy(() -> cipher.open(sealed, "bob")).isInstanceOf(IllegalStateException.class);
        byte[] tampered = sealed.data().clone();
        tampered[20] ^= 1;
        assertThatThrownBy(() -> cipher.open(new SecretCipher.Sealed("k1", tampered), "alice"))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> cipher.open(new SecretCipher.Sealed("unknown", sealed.data()), "alice"))
                .hasMessageContaining("unknown");
    }

    @Test
    void keyedHashIsDeterministicPerKeyAndDiffersAcrossKeys() {
        SecretCipher cipher = new SecretCipher(Map.of("k1", k1, "k2", k2), "k1");
        assertThat(cipher.keyedHash("k1", "ABCD")).isEqualTo(cipher.keyedHash("k1", "ABCD")).hasSize(32);
        assertThat(cipher.keyedHash("k1", "ABCD")).isNotEqualTo(cipher.keyedHash("k2", "ABCD"));
        assertThat(cipher.keyedHash("k1", "ABCD")).isNotEqualTo(cipher.keyedHash("k1", "ABCE"));
    }

    @Test
    void rejectsKeysThatAreNot256Bits() {
        assertThatThrownBy(() -> new SecretCipher(Map.of("short", java.util.Base64.getEncoder().encodeToString(new byte[16])), "short"))
                .hasMessageContaining("32 bytes");
    }
}
