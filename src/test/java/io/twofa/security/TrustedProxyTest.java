package io.twofa.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.twofa.support.Api;
import io.twofa.support.Db;
import io.twofa.support.FromAddress;
import io.twofa.support.FromAddress.Reply;

/**
 * Behind a trusted proxy (Quarkus' own settings, as in deploy/kubernetes.yaml): the client address comes from the
 * proxy's {@code X-Forwarded-For}, and from nobody else's. The proxy is 127.0.20.1; other clients connect directly.
 */
@QuarkusTest
@TestProfile(TrustedProxyTest.BehindProxy.class)
@Tag("slow")
class TrustedProxyTest {

    static final String PROXY = "127.0.20.1";

    public static class BehindProxy implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.proxy.proxy-address-forwarding", "true",
                    "quarkus.http.proxy.allow-x-forwarded", "true",
                    "quarkus.http.proxy.trusted-proxies", PROXY);
        }
    }

    private static Reply via(String from, String forwardedFor, String login, String password) {
        return FromAddress.login(from, login, password, Map.of("X-Forwarded-For", forwardedFor), Duration.ofSeconds(30));
    }

    private static List<Object> sources(String login, String type) {
        return Db.column("select distinct source_ip from audit_event where subject_login = ? and type = ? order by 1", login, type);
    }

    @Test
    void theTrustedProxysForwardedAddressIsTheClientAddress() {
        String login = Api.createUser("user");
        for (int i = 0; i < 5; i++) {
            assertThat(via(PROXY, "127.0.20.11", login, "wrong").status()).isEqualTo(401);
        }
        // the client behind the proxy waits; another client behind the same proxy does not
        Reply sixth = via(PROXY, "127.0.20.11", login, Api.PASSWORD);
        assertThat(sixth.status()).as(sixth.body()).isEqualTo(429);
        assertThat(via(PROXY, "127.0.20.12", login, Api.PASSWORD).status()).isEqualTo(200);
        assertThat(sources(login, "login_failed")).containsExactly("127.0.20.11");
        assertThat(sources(login, "login_throttled")).containsExactly("127.0.20.11");
        assertThat(sources(login, "login_succeeded")).containsExactly("127.0.20.12");
    }

    @Test
    void aClientThatIsNotTheProxyCannotChooseItsAddress() {
        String login = Api.createUser("user");
        String client = "127.0.20.2";
        for (int i = 0; i < 5; i++) {
            assertThat(via(client, "127.0.20." + (30 + i), login, "wrong").status()).isEqualTo(401);
        }
        assertThat(via(client, "127.0.20.99", login, Api.PASSWORD).status()).isEqualTo(429);
        assertThat(sources(login, "login_failed")).containsExactly(client);
        assertThat(sources(login, "login_throttled")).containsExactly(client);
    }
}
