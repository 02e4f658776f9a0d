package io.twofa.keys;

import static io.restassured.RestAssured.given;
import static io.twofa.support.Api.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.vertx.VertxContextSupport;
import io.twofa.crypto.Base32Secret;
import io.twofa.crypto.SecretCipher;
import io.twofa.totp.SecretReencryption;
import io.twofa.support.Api;
import io.twofa.support.ResetsSharedState;
import io.twofa.support.Db;
import io.twofa.support.TestClock;
import io.twofa.support.Tokens;
import io.twofa.token.SigningKeys;

/**
 * Key rotation as operators do it: several keys by id in the key directories, the newest one current.
 * Old signing keys keep verifying; old encryption keys keep decrypting until the re-encryption moves rows over.
 */
@Tag("slow")
@QuarkusTest
@TestProfile(KeyRotationTest.TwoKeysEach.class)
class KeyRotationTest extends ResetsSharedState {

    static final Path DIR = Path.of("target", "rotation-keys");
    static final String OLD = "2025-old";
    static final String NEW = "2026-new";

    public static class TwoKeysEach implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Path signing = Files.createDirectories(DIR.resolve("signing"));
                Path secrets = Files.createDirectories(DIR.resolve("secrets"));
                for (String kid : List.of(OLD, NEW)) {
                    if (!Files.exists(signing.resolve(kid + ".pem"))) {
                        Files.writeString(signing.resolve(kid + ".pem"), SigningKeys.newKeyPem());
                        Files.writeString(secrets.resolve(kid + ".key"), SecretCipher.newKeyBase64());
                    }
                    // the service refuses key files that others can read (issue 13)
                    Files.setPosixFilePermissions(signing.resolve(kid + ".pem"), PosixFilePermissions.fromString("rw-------"));
                    Files.setPosixFilePermissions(secrets.resolve(kid + ".key"), PosixFilePermissions.fromString("rw-------"));
                }
                return Map.of("twofa.token.keys-dir", signing.toAbsolutePath().toString(),
                        "twofa.token.current-key-id", NEW,
                        "twofa.crypto.keys-dir", secrets.toAbsolutePath().toString(),
                        "twofa.crypto.current-key-id", NEW);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Inject
    SigningKeys signingKeys;

    @Inject
    SecretReencryption reencryption;

    private static PrivateKey oldSigningKey() throws Exception {
        String pem = Files.readString(DIR.resolve("signing").resolve(OLD + ".pem"));
        String b64 = pem.substring(pem.indexOf("-----BEGIN PRIVATE KEY-----") + 27, pem.indexOf("-----END PRIVATE KEY-----"));
        return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(b64)));
    }

    @Test
    void newTokensUseTheCurrentKeyAndTokensOfTheOldKeyStillVerify() throws Exception {
        List<String> kids = given().get("/.well-known/jwks.json").then().statusCode(200).extract().jsonPath().getList("keys.kid");
        assertThat(kids).containsExactlyInAnyOrder(OLD, NEW);
        String token = Api.adminToken();
        String header = new String(Base64.getUrlDecoder().decode(token.split("\\.")[0]));
        assertThat(header).contains("\"kid\":\"" + NEW + "\"");
        assertThat(signingKeys.currentKeyId()).isEqualTo(NEW);

        JwtClaims claims = Tokens.adminClaims();
        bearer(Tokens.sign(claims, OLD, oldSigningKey(), "ES256", "at+jwt")).get("/api/v1/audit-events").then().statusCode(200);
        // the same token claiming the new key's id no longer matches its signature
        bearer(Tokens.sign(claims, NEW, oldSigningKey(), "ES256", "at+jwt")).get("/api/v1/audit-events").then().statusCode(401);
    }

    @Test
    void secretsSealedUnderTheOldKeyWorkAndAreMovedToTheNewKey() throws Throwable {
        Api.twoFactor(true);
        Api.Enrolled user = Api.enrolledUser();
        String accountId = Db.column("select id::text from account where login = ?", user.login()).get(0).toString();
        assertThat(Db.column("select secret_key_id from authenticator where account_id = ?::uuid", accountId)).containsExactly(NEW);

        // as if it had been enrolled before the rotation
        SecretCipher old = new SecretCipher(Map.of(OLD, Files.readString(DIR.resolve("secrets").resolve(OLD + ".key"))), OLD);
        SecretCipher.Sealed sealed = old.seal(Base32Secret.decode(user.secret()), accountId);
        try (var c = Db.connect(); var ps = c.prepareStatement(
                "update authenticator set secret_key_id = ?, secret_ciphertext = ? where account_id = ?::uuid")) {
            ps.setString(1, OLD);
            ps.setBytes(2, sealed.data());
            ps.setString(3, accountId);
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        TestClock.toStartOfNextStep();
        bearer(user.challenge()).body(Map.of("code", user.code(0))).post("/api/v1/auth/verify").then().statusCode(200);

        int moved = VertxContextSupport.subscribeAndAwait(() -> reencryption.reencryptAll());
        assertThat(moved).isGreaterThanOrEqualTo(1);
        assertThat(Db.column("select secret_key_id from authenticator where account_id = ?::uuid", accountId)).containsExactly(NEW);
        assertThat(Db.count("select count(*) from authenticator where secret_key_id <> ?", NEW)).isZero();
        bearer(user.challenge()).body(Map.of("code", user.code(1))).post("/api/v1/auth/verify").then().statusCode(200);
    }
}
