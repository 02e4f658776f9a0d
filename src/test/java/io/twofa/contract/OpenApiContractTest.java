package io.twofa.contract;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.quarkus.test.junit.QuarkusTest;

/**
 * Keeps the published contract ({@code openapi.yaml} at the repository root) and the running service in step:
 * an endpoint added or removed in the code without the same change in {@code openapi.yaml} fails here.
 */
@QuarkusTest
class OpenApiContractTest {

    private static final Path PUBLISHED = Path.of("openapi.yaml");
    private static final Set<String> HTTP_METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch",
            "trace");
    private static final String PROBLEM_JSON = "application/problem+json";
    private static final String PROBLEM_SCHEMA = "#/components/schemas/Problem";

    @Test
    void publishedOperationsAreExactlyTheServedOnes() throws IOException {
        JsonNode served = new ObjectMapper().readTree(given().queryParam("format", "json")
                .when().get("/q/openapi")
                .then().statusCode(200)
                .extract().asString());

        Set<String> documented = operations(published());
        Set<String> implemented = operations(served);

        Set<String> undocumented = new TreeSet<>(implemented);
        undocumented.removeAll(documented);
        Set<String> notServed = new TreeSet<>(documented);
        notServed.removeAll(implemented);
        assertThat(undocumented)
                .as("operations served by the service but missing from openapi.yaml (document them)")
                .isEmpty();
        assertThat(notServed)
                .as("operations in openapi.yaml that the service does not serve (remove them, or fix the path)")
                .isEmpty();
        assertThat(documented).as("operations in openapi.yaml").isNotEmpty();
    }

    @Test
    void everyPublishedOperationDeclaresAProblemResponseFor4xx() throws IOException {
        JsonNode spec = published();
        List<String> without = new ArrayList<>();
        forEachOperation(spec, (name, operation) -> {
            boolean found = false;
            for (Iterator<Map.Entry<String, JsonNode>> it = operation.path("responses").fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> response = it.next();
                if (response.getKey().startsWith("4") && isProblem(resolve(spec, response.getValue()))) {
                    found = true;
                }
            }
            if (!found) {
                without.add(name);
            }
        });
        assertThat(without)
                .as("operations without a 4xx response of " + PROBLEM_JSON + " referencing " + PROBLEM_SCHEMA)
                .isEmpty();
    }

    @Test
    void everyPublished429DeclaresRetryAfter() throws IOException {
        JsonNode spec = published();
        List<String> without = new ArrayList<>();
        forEachOperation(spec, (name, operation) -> {
            JsonNode throttled = operation.path("responses").get("429");
            if (throttled != null && !resolve(spec, throttled).path("headers").has("Retry-After")) {
                without.add(name);
            }
        });
        assertThat(without).as("429 responses without a Retry-After header").isEmpty();
    }

    private static JsonNode published() throws IOException {
        assertThat(PUBLISHED).as("openapi.yaml at the repository root (tests run from there)").isRegularFile();
        return new ObjectMapper(new YAMLFactory()).readTree(Files.readString(PUBLISHED));
    }

    /** "METHOD path" of every operation under /api and /.well-known. */
    private static Set<String> operations(JsonNode spec) {
        Set<String> operations = new TreeSet<>();
        forEachOperation(spec, (name, operation) -> operations.add(name));
        return operations;
    }

    private interface OperationVisitor {
        void visit(String name, JsonNode operation);
    }

    private static void forEachOperation(JsonNode spec, OperationVisitor visitor) {
        for (Iterator<Map.Entry<String, JsonNode>> paths = spec.path("paths").fields(); paths.hasNext();) {
            Map.Entry<String, JsonNode> path = paths.next();
            if (!path.getKey().startsWith("/api/") && !path.getKey().startsWith("/.well-known/")) {
                continue;
            }
            for (Iterator<Map.Entry<String, JsonNode>> methods = path.getValue().fields(); methods.hasNext();) {
                Map.Entry<String, JsonNode> method = methods.next();
                if (HTTP_METHODS.contains(method.getKey())) {
                    visitor.visit(method.getKey().toUpperCase() + " " + path.getKey(), method.getValue());
                }
            }
        }
    }

    /** Follows a local {@code $ref} such as {@code #/components/responses/Throttled}. */
    private static JsonNode resolve(JsonNode spec, JsonNode node) {
        JsonNode ref = node.get("$ref");
        if (ref == null) {
            return node;
        }
        assertThat(ref.asText()).as("only local references are used").startsWith("#/");
        JsonNode target = spec.at(ref.asText().substring(1));
        assertThat(target.isMissingNode()).as("reference " + ref.asText() + " resolves").isFalse();
        return resolve(spec, target);
    }

    private static boolean isProblem(JsonNode response) {
        JsonNode schema = response.path("content").path(PROBLEM_JSON).path("schema");
        return PROBLEM_SCHEMA.equals(schema.path("$ref").asText());
    }
}
