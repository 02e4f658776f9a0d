package io.twofa.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.twofa.support.Api;

/**
 * The service against a PostgreSQL that requires TLS (issue 21 part 5), configured as docs/database.md says:
 * {@code verify-full} against the database's CA for the reactive client and for JDBC (Flyway).
 */
@QuarkusTest
@TestProfile(DatabaseTlsTest.TlsRequired.class)
@Tag("slow")
class DatabaseTlsTest {

    public static class TlsRequired implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(TlsPostgresResource.class, Map.of(), true));
        }
    }

    private static String url(String host, String params) {
        return "jdbc:postgresql://" + host + ":" + TlsPostgresResource.port + "/postgres?" + params;
    }

    private static Connection verified() throws SQLException {
        return DriverManager.getConnection(url("localhost", "sslmode=verify-full&sslrootcert=" + TlsPostgresResource.ca()),
                "postgres", TlsPostgresResource.password);
    }

    @Test
    void theServiceWorksOverTlsOnly() throws Exception {
        // Flyway (JDBC) migrated the schema at start, the reactive pool serves the login
        String token = Api.json().body(Map.of("login", Api.ADMIN, "password", Api.ADMIN_PASSWORD, "client", "web"))
                .post("/api/v1/auth/login").then().statusCode(200).extract().path("access_token");
        assertThat(token).isNotBlank();
        Api.bearer(token).get("/api/v1/me").then().statusCode(200);

        // every connection the service holds is encrypted
        try (Connection c = verified(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("""
                select count(*), count(*) filter (where not s.ssl)
                from pg_stat_activity a join pg_stat_ssl s using (pid)
                where a.backend_type = 'client backend' and a.pid <> pg_backend_pid()""")) {
            rs.next();
            assertThat(rs.getInt(1)).as("the service's connections").isPositive();
            assertThat(rs.getInt(2)).as("of them without TLS").isZero();
        }
    }

    @Test
    void aConnectionWithoutTlsIsRefused() {
        assertThatThrownBy(() -> DriverManager.getConnection(url("localhost", "sslmode=disable"), "postgres",
                TlsPostgresResource.password).close())
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("pg_hba.conf rejects connection")
                .hasMessageContaining("no encryption");
    }

    @Test
    void verifyFullChecksTheAuthorityAndTheHostName() throws Exception {
        // another CA: the server's certificate does not chain to it
        Path other = TlsPostgresResource.dir.resolve("other-ca.pem");
        TestCertificates.writePem(other, "CERTIFICATE", TestCertificates.authority("someone else's CA").certificate().getEncoded());
        assertThatThrownBy(() -> DriverManager.getConnection(url("localhost", "sslmode=verify-full&sslrootcert=" + other),
                "postgres", TlsPostgresResource.password).close()).isInstanceOf(SQLException.class)
                .hasMessageContaining("SSL");
        // the right CA, a name the certificate does not carry
        assertThatThrownBy(() -> DriverManager.getConnection(url("127.0.0.1", "sslmode=verify-full&sslrootcert="
                + TlsPostgresResource.ca()), "postgres", TlsPostgresResource.password).close()).isInstanceOf(SQLException.class)
                .hasMessageContaining("127.0.0.1");
        try (Connection c = verified()) {
            assertThat(c.isValid(2)).isTrue();
        }
    }
}
