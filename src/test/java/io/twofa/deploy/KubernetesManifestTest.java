package io.twofa.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * deploy/kubernetes.yaml agrees with the configuration and the image: probes and Prometheus on the management
 * port, the public Service on the API port only, the pod's user the image's user.
 */
class KubernetesManifestTest {

    private static final Path MANIFEST = BuildContext.PROJECT.resolve("deploy/kubernetes.yaml");
    private static List<JsonNode> documents;
    private static int apiPort;
    private static int managementPort;

    @BeforeAll
    static void read() throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        documents = new ArrayList<>();
        try (var parser = yaml.getFactory().createParser(MANIFEST.toFile())) {
            yaml.readValues(parser, JsonNode.class).forEachRemaining(documents::add);
        }
        Properties config = new Properties();
        try (Reader in = Files.newBufferedReader(BuildContext.PROJECT.resolve("src/main/resources/application.properties"))) {
            config.load(in);
        }
        apiPort = Integer.parseInt(config.getProperty("quarkus.http.port"));
        managementPort = Integer.parseInt(config.getProperty("quarkus.management.port"));
    }

    @Test
    void probesAndMetricsUseTheManagementPort() {
        JsonNode pod = deployment().at("/spec/template");
        JsonNode container = pod.at("/spec/containers/0");
        assertThat(containerPort(container, "http")).isEqualTo(apiPort);
        assertThat(containerPort(container, "management")).isEqualTo(managementPort);
        assertThat(container.at("/startupProbe/httpGet/path").asText()).isEqualTo("/q/health/started");
        assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/q/health/live");
        assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/q/health/ready");
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            assertThat(container.at("/" + probe + "/httpGet/port").asText()).as(probe).isEqualTo("management");
        }
        JsonNode annotations = pod.at("/metadata/annotations");
        assertThat(annotations.path("prometheus.io/scrape").asText()).isEqualTo("true");
        assertThat(annotations.path("prometheus.io/path").asText()).isEqualTo("/q/metrics");
        assertThat(annotations.path("prometheus.io/port").asText()).isEqualTo(String.valueOf(managementPort));
    }

    @Test
    void thePublicServiceExposesTheApiOnlyAndAManagementServiceTheRest() {
        JsonNode publicService = service("twofa-service");
        assertThat(publicService.at("/spec/ports").findValuesAsText("targetPort")).containsExactly("http");

        JsonNode management = documents.stream().filter(d -> d.path("kind").asText().equals("Service"))
                .filter(d -> d.at("/spec/ports").findValuesAsText("targetPort").contains("management"))
                .findFirst().orElseThrow();
        assertThat(management.at("/spec/ports/0/name").asText()).as("ServiceMonitor endpoints name the port")
                .isEqualTo("management");
        assertThat(management.at("/metadata/labels/app.kubernetes.io~1component").asText()).isEqualTo("management");
        assertThat(management.at("/spec/selector")).isEqualTo(publicService.at("/spec/selector"));
        assertThat(management.at("/spec/publishNotReadyAddresses").asBoolean())
                .as("metrics of unready pods (database outage) are scraped too").isTrue();
    }

    @Test
    void thePodRunsAsTheImagesUserFromAPinnedImage() {
        JsonNode pod = deployment().at("/spec/template/spec");
        String imageUser = Dockerfile.read(BuildContext.DOCKERFILE).finalStage().all("USER").get(0).arguments()
                .split(":")[0];
        assertThat(pod.at("/securityContext/runAsUser").asText()).isEqualTo(imageUser);
        assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.at("/containers/0/image").asText()).contains(":").doesNotEndWith(":latest");
    }

    private static JsonNode deployment() {
        return documents.stream().filter(d -> d.path("kind").asText().equals("Deployment")).findFirst().orElseThrow();
    }

    private static JsonNode service(String name) {
        return documents.stream().filter(d -> d.path("kind").asText().equals("Service"))
                .filter(d -> d.at("/metadata/name").asText().equals(name)).findFirst().orElseThrow();
    }

    private static int containerPort(JsonNode container, String name) {
        for (JsonNode port : container.path("ports")) {
            if (port.path("name").asText().equals(name)) {
                return port.path("containerPort").asInt();
            }
        }
        throw new AssertionError("no container port named " + name);
    }
}
