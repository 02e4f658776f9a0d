package io.twofa.discovery;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/** Behind a proxy Quarkus is told to trust, the discovery URLs are the address the client used at the proxy. */
@QuarkusTest
@TestProfile(DiscoveryBehindProxyTest.TrustedProxy.class)
@Tag("slow")
class DiscoveryBehindProxyTest {

    public static class TrustedProxy implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.proxy.proxy-address-forwarding", "true",
                    "quarkus.http.proxy.allow-x-forwarded", "true",
                    "quarkus.http.proxy.enable-forwarded-host", "true",
                    "quarkus.http.proxy.enable-forwarded-prefix", "true",
                    "quarkus.http.proxy.trusted-proxies", "127.0.0.1");
        }
    }

    @Test
    void forwardedSchemeHostAndPrefixFromATrustedProxy() {
        JsonPath doc = given().header("X-Forwarded-Proto", "https").header("X-Forwarded-Host", "twofa.studio.example")
                .header("X-Forwarded-Port", "443").header("X-Forwarded-Prefix", "/auth")
                .get(DiscoveryTest.PATH).then().statusCode(200).extract().jsonPath();
        assertThat(doc.getString("refresh_endpoint")).isEqualTo("https://twofa.studio.example/auth/api/v1/auth/refresh");
        assertThat(doc.getString("jwks_uri")).isEqualTo("https://twofa.studio.example/auth/.well-known/jwks.json");
    }
}
