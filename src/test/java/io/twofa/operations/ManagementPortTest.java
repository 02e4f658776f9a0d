package io.twofa.operations;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;

/**
 * Health and metrics live on the management interface only: the public port (the one a load balancer or an
 * Ingress exposes) answers 404 for them, while the OpenAPI document and Swagger UI stay public for clients.
 */
@QuarkusTest
class ManagementPortTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final List<String> MANAGEMENT_PATHS = List.of("/q/metrics", "/q/health", "/q/health/live",
            "/q/health/ready", "/q/health/started");
    private static String publicUrl;
    private static String managementUrl;

    @BeforeAll
    static void urls() {
        int publicPort = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        int managementPort = ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class);
        // the test profile asks for free ports (0): these are the ports actually bound
        assertThat(publicPort).isPositive();
        publicUrl = "http://localhost:" + publicPort;
        managementUrl = "http://localhost:" + managementPort;
    }

    @Test
    void theManagementInterfaceHasItsOwnPort() {
        int publicPort = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        int managementPort = ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class);
        assertThat(managementPort).as("bound management port").isPositive().isNotEqualTo(publicPort);
    }

    @Test
    void healthAndMetricsAreNotServedOnThePublicPort() throws Exception {
        for (String path : MANAGEMENT_PATHS) {
            HttpResponse<String> response = get(publicUrl + path);
            assertThat(response.statusCode()).as("public %s", path).isEqualTo(404);
            assertThat(response.body()).as("public %s", path)
                    .doesNotContain("# TYPE").doesNotContain("twofa_").doesNotContain("\"checks\"");
        }
    }

    @Test
    void metricsAreServedOnTheManagementPort() throws Exception {
        // one request on the public port, so that its HTTP metric exists whatever ran before
        assertThat(get(publicUrl + "/.well-known/jwks.json").statusCode()).isEqualTo(200);
        HttpResponse<String> metrics = get(managementUrl + "/q/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("# TYPE jvm_memory_used_bytes gauge")
                .contains("http_server_requests_seconds_count{")
                .as("requests of the public port are counted").contains("uri=\"/.well-known/jwks.json\"");
    }

    @Test
    void healthIsServedOnTheManagementPort() throws Exception {
        for (String path : List.of("/q/health/live", "/q/health/ready", "/q/health/started")) {
            HttpResponse<String> response = get(managementUrl + path);
            assertThat(response.statusCode()).as("management %s: %s", path, response.body()).isEqualTo(200);
            JsonNode health = new ObjectMapper().readTree(response.body());
            assertThat(health.get("status").asText()).as(path).isEqualTo("UP");
        }
        JsonNode ready = new ObjectMapper().readTree(get(managementUrl + "/q/health/ready").body());
        assertThat(ready.get("checks").findValuesAsText("name")).as("readiness checks the database")
                .anySatisfy(name -> assertThat(name).containsIgnoringCase("PostgreSQL"));
    }

    @Test
    void theApiAndItsContractStayOnThePublicPortOnly() throws Exception {
        HttpResponse<String> openapi = get(publicUrl + "/q/openapi?format=json");
        assertThat(openapi.statusCode()).isEqualTo(200);
        assertThat(new ObjectMapper().readTree(openapi.body()).get("paths").has("/api/v1/auth/login")).isTrue();
        assertThat(get(publicUrl + "/q/swagger-ui/").statusCode()).isEqualTo(200);

        assertThat(get(managementUrl + "/.well-known/jwks.json").statusCode()).as("no API on the management port")
                .isEqualTo(404);
        assertThat(get(managementUrl + "/q/openapi").statusCode()).as("the contract is served once, publicly")
                .isEqualTo(404);
        assertThat(get(managementUrl + "/q/swagger-ui/").statusCode()).isEqualTo(404);
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
