package io.twofa.token;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.HmacKey;
import org.jose4j.keys.resolvers.JwksVerificationKeyResolver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.twofa.support.Api;
import io.twofa.support.ResetsSharedState;
import io.twofa.support.TestClock;
import io.twofa.support.Tokens;

@QuarkusTest
class TokenSecurityTest extends ResetsSharedState {

    /** Every endpoint that wants an access token, with a harmless body. */
    static final List<String[]> ACCESS_ENDPOINTS = List.of(
            new String[] { "GET", "/api/v1/me", null },
            new String[] { "GET", "/api/v1/site-policy", null },
            new String[] { "PUT", "/api/v1/site-policy", "{\"two_factor_required\":false}" },
            new String[] { "GET", "/api/v1/backup-codes", null },
            new String[] { "POST", "/api/v1/backup-codes", "{\"password\":\"x\"}" },
            new String[] { "POST", "/api/v1/users", "{\"login\":\"x\",\"password\":\"xxxxxxxx\",\"role\":\"user\"}" },
            new String[] { "GET", "/api/v1/users/admin", null },
            new String[] { "DELETE", "/api/v1/users/admin/second-factor", null },
            new String[] { "POST", "/api/v1/users/admin/backup-codes", "{\"reason\":\"x\"}" },
            new String[] { "GET", "/api/v1/users", null },
            new String[] { "PATCH", "/api/v1/users/admin", "{\"status\":\"active\"}" },
            new String[] { "POST", "/api/v1/users/admin/password", "{\"password\":\"xxxxxxxx\"}" },
            new String[] { "POST", "/api/v1/auth/step-up", "{\"password\":\"x\"}" },
            new String[] { "GET", "/api/v1/audit-events", null });

    @Inject
    SigningKeys keys;

    private static int call(String[] endpoint, String token) {
        var spec = given().contentType("application/json");
        if (token != null) {
            spec.header("Authorization", "Bearer " + token);
        }
        if (endpoint[2] != null) {
            spec.body(endpoint[2]);
        }
        var response = spec.request(endpoint[0], endpoint[1]);
        assertThat(response.contentType()).as(endpoint[0] + " " + endpoint[1]).isEqualTo("application/problem+json");
        return response.statusCode();
    }

    @Test
    void accessTokensVerifyAgainstThePublishedJwksWithTheSpecifiedClaims() throws Exception {
        String login = Api.createUser("user");
        String token = Api.login(login, Api.PASSWORD).getString("access_token");
        String jwks = given().get("/.well-known/jwks.json").then().statusCode(200).extract().asString();
        JsonWebKeySet set = new JsonWebKeySet(jwks);
        assertThat(set.getJsonWebKeys()).isNotEmpty().allSatisfy(k -> {
            assertThat(k.getKeyType()).isEqualTo("EC");
            assertThat(k.toJson()).doesNotContain("\"d\"");
        });
        JwtClaims claims = new JwtConsumerBuilder()
                .setVerificationKeyResolver(new JwksVerificationKeyResolver(set.getJsonWebKeys()))
                .setExpectedAudience("flow-production-tracking")
                .setExpectedIssuer("twofa-service")
                .setExpectedType(true, "at+jwt")
                .build().processToClaims(token);
        assertThat(claims.getSubject()).matches("[0-9a-f-]{36}");
        assertThat(claims.getStringClaimValue("upn")).isEqualTo(login);
        assertThat(claims.getStringListClaimValue("groups")).containsExactly("user");
        assertThat(claims.getStringListClaimValue("amr")).containsExactly("pwd");
        assertThat(claims.getStringClaimValue("client")).isEqualTo("desktop");
        assertThat(claims.getClaimValue("auth_time", Long.class)).isCloseTo(Instant.now().getEpochSecond(), org.assertj.core.data.Offset.offset(60L));
        assertThat(claims.getExpirationTime().getValue() - claims.getIssuedAt().getValue()).isEqualTo(600);
        assertThat(claims.getJwtId()).isNotBlank();
        JsonPath header = JsonPath.from(new String(Base64.getUrlDecoder().decode(token.split("\\.")[0])));
        assertThat(header.getString("alg")).isEqualTo("ES256");
        assertThat(header.getString("kid")).isEqualTo(keys.currentKeyId());
    }

    @Test
    void aChallengeTokenIsRefusedByEveryEndpointThatWantsAnAccessToken() {
        Api.twoFactor(true);
        String challenge = Api.login(Api.createUser("user"), Api.PASSWORD).getString("challenge_token");
        assertThat(challenge).isNotNull();
        for (String[] endpoint : ACCESS_ENDPOINTS) {
            assertThat(call(endpoint, challenge)).as(endpoint[0] + " " + endpoint[1]).isEqualTo(401);
        }
    }

    @Test
    void anAccessTokenIsRefusedByTheSecondStep() {
        String access = Api.login(Api.createUser("user"), Api.PASSWORD).getString("access_token");
        Api.bearer(access).body(Map.of("code", "123456")).post("/api/v1/auth/verify").then().statusCode(401)
                .contentType("application/problem+json");
    }

    @Test
    void withoutATokenEveryProtectedEndpointAnswers401() {
        for (String[] endpoint : ACCESS_ENDPOINTS) {
            assertThat(call(endpoint, null)).as(endpoint[0] + " " + endpoint[1]).isEqualTo(401);
        }
        assertThat(call(new String[] { "POST", "/api/v1/auth/verify", "{\"code\":\"123456\"}" }, null)).isEqualTo(401);
        assertThat(call(new String[] { "POST", "/api/v1/enrollment", "{}" }, null)).isEqualTo(401);
    }

    @Test
    void adminEndpointsAnswer403ToUsers() {
        String user = Api.login(Api.createUser("user"), Api.PASSWORD).getString("access_token");
        for (String[] endpoint : ACCESS_ENDPOINTS) {
            boolean adminOnly = endpoint[1].startsWith("/api/v1/users") || endpoint[1].startsWith("/api/v1/audit")
                    || endpoint[0].equals("PUT");
            if (adminOnly) {
                assertThat(call(endpoint, user)).as(endpoint[0] + " " + endpoint[1]).isEqualTo(403);
            }
        }
        Api.bearer(user).get("/api/v1/site-policy").then().statusCode(200);
    }

    private static JwtClaims validAdminClaims() {
        return Tokens.adminClaims();
    }

    private static String sign(JwtClaims claims, String kid, java.security.Key key, String alg, String typ) throws Exception {
        return Tokens.sign(claims, kid, key, alg, typ);
    }

    private static void assertRefused(String token) {
        Api.bearer(token).get("/api/v1/audit-events").then().statusCode(401).contentType("application/problem+json");
    }

    @Test
    void theSigningKeyItselfMakesAValidAdminToken() throws Exception {
        // the positive control for the forgeries below: same claims, properly signed, are accepted
        String token = sign(validAdminClaims(), keys.currentKeyId(), keys.currentPrivateKey(), "ES256", "at+jwt");
        Api.bearer(token).get("/api/v1/audit-events").then().statusCode(200);
    }

    @Test
    void forgedAndAlteredTokensAreRefused() throws Exception {
        String kid = keys.currentKeyId();
        // alg none
        assertRefused(sign(validAdminClaims(), kid, null, AlgorithmIdentifiers.NONE, "at+jwt"));
        // HS256 with the public key as the HMAC secret (key confusion)
        byte[] publicKey = keys.jsonWebKeys().get(0).getKey().getEncoded();
        assertRefused(sign(validAdminClaims(), kid, new HmacKey(publicKey), AlgorithmIdentifiers.HMAC_SHA256, "at+jwt"));
        // another key: under an unknown kid, and under the real kid
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        var other = generator.generateKeyPair().getPrivate();
        assertRefused(sign(validAdminClaims(), "unknown-kid", other, "ES256", "at+jwt"));
        assertRefused(sign(validAdminClaims(), kid, other, "ES256", "at+jwt"));
        // the service's own key, but wrong issuer, audience, type, or expired beyond the skew
        JwtClaims wrongIssuer = validAdminClaims();
        wrongIssuer.setIssuer("someone-else");
        assertRefused(sign(wrongIssuer, kid, keys.currentPrivateKey(), "ES256", "at+jwt"));
        JwtClaims wrongAudience = validAdminClaims();
        wrongAudience.setAudience("twofa-second-step");
        assertRefused(sign(wrongAudience, kid, keys.currentPrivateKey(), "ES256", "at+jwt"));
        assertRefused(sign(validAdminClaims(), kid, keys.currentPrivateKey(), "ES256", "JWT"));
        JwtClaims expired = validAdminClaims();
        expired.setIssuedAt(org.jose4j.jwt.NumericDate.fromSeconds(Instant.now().getEpochSecond() - 600));
        expired.setExpirationTime(org.jose4j.jwt.NumericDate.fromSeconds(Instant.now().getEpochSecond() - 31));
        assertRefused(sign(expired, kid, keys.currentPrivateKey(), "ES256", "at+jwt"));
    }

    @Test
    void anEditedPayloadBreaksTheSignature() {
        String token = Api.login(Api.createUser("user"), Api.PASSWORD).getString("access_token");
        String[] parts = token.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("\"groups\":[\"user\"]", "\"groups\":[\"admin\"]");
        assertThat(payload).contains("\"admin\"");
        String edited = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(StandardCharsets.UTF_8))
                + "." + parts[2];
        assertRefused(edited);
        Api.bearer(token).get("/api/v1/me").then().statusCode(200);
    }

    @ParameterizedTest
    @CsvSource({ "299", "601" })
    void accessTokensExpireWithTheirLifetime(int secondsLater) {
        String token = Api.login(Api.createUser("user"), Api.PASSWORD).getString("access_token");
        TestClock.advance(java.time.Duration.ofSeconds(secondsLater + 30));
        int expected = secondsLater + 30 > 600 + 30 ? 401 : 200;
        Api.bearer(token).get("/api/v1/me").then().statusCode(expected);
    }
}
