package io.twofa.security;

import static io.twofa.support.Api.PASSWORD;
import static io.twofa.support.Api.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.twofa.crypto.Base32Secret;
import io.twofa.support.Api;
import io.twofa.support.TestClock;

/**
 * Runs every flow with DEBUG logging for the service, Hibernate's SQL (with bound parameters) and the HTTP access
 * log, then searches the log for every password, secret, code and token the flows used.
 */
@Tag("slow")
@QuarkusTest
@TestProfile(LogHygieneTest.Debug.class)
class LogHygieneTest {

    static final Path LOG = Path.of("target", "log-hygiene.log");

    public static class Debug implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.ofEntries(
                    // the server side at DEBUG/TRACE; the test's own HTTP client (org.apache.http) stays quiet, it
                    // logs the requests this test sends, which of course hold the secrets
                    Map.entry("quarkus.log.category.\"io.quarkus\".level", "DEBUG"),
                    Map.entry("quarkus.log.category.\"io.vertx\".level", "DEBUG"),
                    Map.entry("quarkus.log.category.\"io.smallrye\".level", "DEBUG"),
                    Map.entry("quarkus.log.category.\"org.hibernate\".level", "DEBUG"),
                    Map.entry("quarkus.log.category.\"org.jboss.resteasy\".level", "DEBUG"),
                    Map.entry("quarkus.log.category.\"org.apache.http\".level", "INFO"),
                    Map.entry("quarkus.log.min-level", "TRACE"),
                    Map.entry("quarkus.log.category.\"io.twofa\".level", "TRACE"),
                    Map.entry("quarkus.log.category.\"org.hibernate.SQL\".level", "DEBUG"),
                    Map.entry("quarkus.log.category.\"org.hibernate.orm.jdbc.bind\".level", "TRACE"),
                    Map.entry("quarkus.hibernate-orm.log.sql", "true"),
                    Map.entry("quarkus.hibernate-orm.log.bind-parameters", "true"),
                    Map.entry("quarkus.http.access-log.enabled", "true"),
                    Map.entry("quarkus.log.file.enabled", "true"),
                    Map.entry("quarkus.log.file.level", "TRACE"),
                    Map.entry("quarkus.log.file.path", LOG.toAbsolutePath().toString()));
        }
    }

    @Test
    void noSecretOfAnyFlowReachesTheLog() throws Exception {
        List<String> secrets = new ArrayList<>();
        secrets.add(Api.ADMIN_PASSWORD);
        secrets.add(PASSWORD);
        var config = org.eclipse.microprofile.config.ConfigProvider.getConfig();
        if (config.getOptionalValue("twofa.embedded-database.active", Boolean.class).orElse(false)) {
            // the embedded database's generated password (an external one may be a word that logs show anyway)
            secrets.add(config.getValue("quarkus.datasource.password", String.class));
        }
        Api.twoFactor(true);
        Api.Enrolled user = Api.enrolledUser();
        secrets.add(user.secret());
        secrets.add(java.util.HexFormat.of().formatHex(Base32Secret.decode(user.secret())));
        secrets.addAll(user.backupCodes());
        user.backupCodes().forEach(c -> secrets.add(c.replace("-", "")));
        TestClock.toStartOfNextStep();
        String challenge = user.challenge();
        secrets.add(challenge);
        String code = user.code(0);
        String access = bearer(challenge).body(Map.of("code", code)).post("/api/v1/auth/verify").then().statusCode(200)
                .extract().path("access_token");
        secrets.add(access);
        bearer(challenge).body(Map.of("code", "999999".equals(code) ? "888888" : "999999")).post("/api/v1/auth/verify");
        bearer(user.challenge()).body(Map.of("backup_code", user.backupCodes().get(0).toLowerCase())).post("/api/v1/auth/verify")
                .then().statusCode(200);
        JsonPath regenerated = bearer(access).body(Map.of("password", PASSWORD)).post("/api/v1/backup-codes").then()
                .statusCode(201).extract().jsonPath();
        secrets.addAll(regenerated.getList("codes", String.class));
        String newSecret = bearer(access).body(Map.of("password", PASSWORD)).post("/api/v1/enrollment").then().statusCode(201)
                .extract().path("secret");
        secrets.add(newSecret);
        Api.json().body(Map.of("login", user.login(), "password", "a wrong guess 12")).post("/api/v1/auth/login");
        secrets.add("a wrong guess 12");
        secrets.addAll(bearer(Api.adminToken()).body(Map.of("reason", "log test")).post("/api/v1/users/" + user.login() + "/backup-codes")
                .then().statusCode(201).extract().jsonPath().getList("codes", String.class));
        secrets.add(Api.adminToken());
        Api.twoFactor(false);

        Thread.sleep(500); // let the file handler flush
        String log = Files.readString(LOG);
        assertThat(log).as("the log was written at DEBUG with SQL").contains("DEBUG").containsIgnoringCase("select");
        for (String secret : secrets) {
            int at = log.indexOf(secret);
            assertThat(at).as("a secret appears in the log: %s", at < 0 ? "" : log.substring(Math.max(0, log.lastIndexOf('\n', at)), at))
                    .isEqualTo(-1);
        }
        // JWT signatures on their own, and the 6-digit code as a whole number
        for (String jwt : List.of(challenge, access)) {
            assertThat(log).doesNotContain(jwt.substring(jwt.lastIndexOf('.') + 1));
        }
        assertThat(Pattern.compile("(?<![0-9])" + code + "(?![0-9])").matcher(log).find()).as("TOTP code in log").isFalse();
    }
}
