package io.twofa.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PasswordHasherTest {

    private final PasswordHasher hasher = new PasswordHasher(1024, 1, 1);

    @Test
    void hashesInPhcFormatWithSaltAndVerifies() {
        String a = hasher.hash("s3cret password");
        String b = hasher.hash("s3cret password");
        assertThat(a).startsWith("$argon2id$v=19$m=1024,t=1,p=1$").isNotEqualTo(b);
        assertThat(hasher.verify("s3cret password", a)).isTrue();
        assertThat(hasher.verify("s3cret passwore", a)).isFalse();
        assertThat(hasher.verify("", a)).isFalse();
    }

    @Test
    void hashesMadeWithOtherParametersStillVerify() {
        String strong = new PasswordHasher(4096, 2, 1).hash("pw");
        assertThat(strong).contains("m=4096,t=2,p=1");
        assertThat(hasher.verify("pw", strong)).isTrue();
    }

    @Test
    void unknownAccountsNeverVerifyButCostAHash() {
        assertThat(hasher.verify("dummy password for unknown logins", null)).isFalse();
        assertThat(hasher.verify("anything", null)).isFalse();
        // the same cost as a real check: the same algorithm and parameters, a salt and a hash of the same lengths
        String[] dummy = hasher.unknownLoginHash().split("\\$");
        String[] real = hasher.hash("anything").split("\\$");
        assertThat(dummy).hasSize(6);
        assertThat(dummy[1] + dummy[2] + dummy[3]).isEqualTo(real[1] + real[2] + real[3]);
        assertThat(dummy[4]).hasSameSizeAs(real[4]).isNotEqualTo(real[4]);
        assertThat(dummy[5]).hasSameSizeAs(real[5]);
    }

    @Test
    void referenceVectorFromRfc9106() {
        // RFC 9106 §5.3 uses secret/associated data, which PHC strings do not carry; instead check against a
        // known Argon2id output (argon2 CLI: echo -n password | argon2 somesalt -id -t 2 -m 16 -p 1 -l 32)
        String phc = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
        assertThat(hasher.verify("password", phc)).isTrue();
        assertThat(hasher.verify("passwore", phc)).isFalse();
    }
}
