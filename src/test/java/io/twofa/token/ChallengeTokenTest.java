package io.twofa.token;

import static io.twofa.support.Api.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.twofa.support.Api;
import io.twofa.support.Db;
import io.twofa.support.Parallel;
import io.twofa.support.TestClock;
import io.twofa.support.WithTwoFactorOn;

/**
 * Challenge tokens (SPEC §3) are read only by this service: no key a relying party can fetch verifies them, and the
 * first success spends them. Checked with Nimbus JOSE+JWT, a library independent of the service's own (SmallRye JWT).
 */
@QuarkusTest
class ChallengeTokenTest extends WithTwoFactorOn {

    @Test
    void aChallengeTokenFailsVerificationWithEveryPublishedKey() throws Exception {
        Api.Enrolled user = Api.enrolledUser();
        String challenge = user.challenge();
        JWKSet published = JWKSet.parse(RestAssured.get("/.well-known/jwks.json").then().statusCode(200).extract().asString());
        assertThat(published.getKeys()).isNotEmpty();

        JWSObject token = JWSObject.parse(challenge);
        for (JWK key : published.getKeys()) {
            ECKey ec = key.toECKey();
            // as an ES256 signature under the published key (the signature bytes as they are): refused
            JWSObject asEs256 = new JWSObject(new com.nimbusds.jose.JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(),
                    token.getPayload());
            assertThat(ec.toECPublicKey()).isNotNull();
            assertThat(new ECDSAVerifier(ec).verify(asEs256.getHeader(), token.getSigningInput(), token.getSignature()))
                    .as("ES256 under published key %s", key.getKeyID()).isFalse();
            // the classic algorithm confusion: the public key's bytes used as an HMAC secret
            for (byte[] material : List.of(ec.toECPublicKey().getEncoded(), key.toJSONString().getBytes(),
                    key.toPublicJWK().toJSONString().getBytes())) {
                byte[] secret = material.length >= 32 ? material : java.util.Arrays.copyOf(material, 32);
                assertThat(new MACVerifier(secret).verify(token.getHeader(), token.getSigningInput(), token.getSignature()))
                        .as("HS256 with the public key material of %s", key.getKeyID()).isFalse();
            }
        }

        // a relying party that checks only signature (by the JWKS, ES256 or HS256), issuer and expiry
        DefaultJWTProcessor<SecurityContext> careless = new DefaultJWTProcessor<>();
        careless.setJWSKeySelector(new JWSVerificationKeySelector<>(Set.of(JWSAlgorithm.ES256, JWSAlgorithm.HS256),
                new ImmutableJWKSet<>(published)));
        // careless about the type too: any of the service's two
        careless.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(new JOSEObjectType("at+jwt"),
                new JOSEObjectType("twofa-challenge+jwt"), JOSEObjectType.JWT, null));
        assertThatThrownBy(() -> careless.process(challenge, null)).as("a challenge token at a careless relying party")
                .isInstanceOf(Exception.class);
        // the same relying party accepts an access token: the check above is not vacuous
        String access = bearer(challenge).body(Map.of("code", user.code(0))).post("/api/v1/auth/verify").then().statusCode(200)
                .extract().path("access_token");
        assertThat(careless.process(access, null).getSubject()).isNotBlank();
    }

    @Test
    void aChallengeWorksForOneSuccessOnly() {
        Api.Enrolled user = Api.enrolledUser();
        TestClock.toStartOfNextStep();
        String challenge = user.challenge();
        bearer(challenge).body(Map.of("code", user.code(0))).post("/api/v1/auth/verify").then().statusCode(200);
        // another valid factor on the same challenge: refused, with its own problem type
        bearer(challenge).body(Map.of("backup_code", user.backupCodes().get(0))).post("/api/v1/auth/verify").then()
                .statusCode(401).contentType("application/problem+json")
                .body("type", equalTo("urn:twofa:problem:challenge-spent"));
        bearer(challenge).body(Map.of("code", user.code(1))).post("/api/v1/auth/verify").then().statusCode(401)
                .body("type", equalTo("urn:twofa:problem:challenge-spent"));
        assertThat(Db.count("select count(*) from backup_code b join account a on a.id = b.account_id "
                + "where a.login = ? and b.used_at is not null", user.login())).as("no backup code spent").isZero();
    }

    @Test
    void twentyParallelVerifiesWithDifferentBackupCodesYieldOneTokenAndSpendOneCode() {
        Api.Enrolled user = Api.enrolledUser();
        // ten codes per set; twenty distinct valid codes need a second account-side set: use ten, twice each would be
        // replays, so take a set of twenty
        Api.policy(Map.of("backup_code_count", 20));
        List<String> codes = bearer(Api.accessTokenOf(user)).body(Map.of("password", Api.PASSWORD))
                .post("/api/v1/backup-codes").then().statusCode(201).extract().jsonPath().getList("codes", String.class);
        assertThat(codes).hasSize(20).doesNotHaveDuplicates();
        String challenge = user.challenge();

        List<HttpResponse<String>> responses = Parallel.post("/api/v1/auth/verify", challenge, 20,
                i -> "{\"backup_code\":\"" + codes.get(i) + "\"}");

        assertThat(Parallel.countStatus(responses, 200)).as("access tokens from one challenge").isEqualTo(1);
        assertThat(responses).allSatisfy(r -> assertThat(r.statusCode()).isIn(200, 401, 429));
        assertThat(Db.count("select count(*) from backup_code b join account a on a.id = b.account_id "
                + "where a.login = ? and b.used_at is not null", user.login())).as("backup codes spent").isEqualTo(1);
        Api.policy(Map.of("backup_code_count", 10));
    }

    @Test
    void enrolmentSpendsItsChallengeToo() {
        String login = Api.createUser("user");
        String challenge = Api.login(login, Api.PASSWORD).getString("challenge_token");
        String secret = bearer(challenge).body("{}").post("/api/v1/enrollment").then().statusCode(201).extract().path("secret");
        String code = io.twofa.totp.Totp.code(io.twofa.crypto.Base32Secret.decode(secret), TestClock.now());
        bearer(challenge).body(Map.of("code", code)).post("/api/v1/enrollment/confirm").then().statusCode(200);
        for (String path : List.of("/api/v1/enrollment", "/api/v1/enrollment/confirm")) {
            bearer(challenge).body(path.endsWith("confirm") ? Map.of("code", code) : Map.of()).post(path).then()
                    .statusCode(401).body("type", equalTo("urn:twofa:problem:challenge-spent"));
        }
        bearer(challenge).accept("image/png").get("/api/v1/enrollment/qr.png").then().statusCode(401)
                .body("type", equalTo("urn:twofa:problem:challenge-spent"));
        assertThat(UUID.fromString(Db.column("select id from account where login = ?", login).get(0).toString())).isNotNull();
    }
}
