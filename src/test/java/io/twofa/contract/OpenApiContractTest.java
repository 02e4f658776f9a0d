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

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.quarkus.test.junit.QuarkusTest;

/**
 * Keeps the published contract ({@code openapi.yaml} at the repository root) and the service in step: the service
 * serves exactly that document, and an endpoint added or removed in the code without the same change in
 * {@code openapi.yaml} fails here. (Every exchange of the suite is validated against it besides: support/Contract.)
 */
@QuarkusTest
class OpenApiContractTest {

    private static final Path PUBLISHED = Path.of("openapi.yaml");
    private static final Set<String> HTTP_METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch",
            "trace");
    private static final String PROBLEM_JSON = "application/problem+json";
    private static final String PROBLEM_SCHEMA = "#/components/schemas/Problem";

    @Test
    void theServedDocumentIsTheTopLevelOpenapiYamlAsWritten() throws IOException {
        JsonNode served = new ObjectMapper().readTree(given().queryParam("format", "json")
                .when().get("/q/openapi")
                .then().statusCode(200)
                .extract().asString());
        assertThat(served).as("/q/openapi is openapi.yaml, nothing generated or added").isEqualTo(published());
    }

    @Test
    void documentedOperationsAreExactlyTheImplementedOnes() throws IOException {
        Set<String> documented = operations(published());
        Set<String> implemented = implementedOperations();

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

    /** "METHOD path" of every JAX-RS resource method of the service, read from its classes. */
    private static Set<String> implementedOperations() {
        Set<String> operations = new TreeSet<>();
        JavaClasses classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.twofa");
        for (JavaClass resource : classes) {
            if (!resource.isAnnotatedWith(jakarta.ws.rs.Path.class)) {
                continue;
            }
            String base = resource.getAnnotationOfType(jakarta.ws.rs.Path.class).value();
            for (JavaMethod method : resource.getMethods()) {
                for (Class<? extends java.lang.annotation.Annotation> verb : List.of(jakarta.ws.rs.GET.class,
                        jakarta.ws.rs.POST.class, jakarta.ws.rs.PUT.class, jakarta.ws.rs.DELETE.class,
                        jakarta.ws.rs.PATCH.class)) {
                    if (method.isAnnotatedWith(verb)) {
                        String sub = method.isAnnotatedWith(jakarta.ws.rs.Path.class)
                                ? "/" + method.getAnnotationOfType(jakarta.ws.rs.Path.class).value() : "";
                        String path = (base + sub).replaceAll("/+", "/").replaceAll("/$", "");
                        // the API's paths; the web page's own routes (e.g. /device) are not part of the contract
                        if (path.startsWith("/api/") || path.startsWith("/.well-known/")) {
                            operations.add(verb.getSimpleName() + " " + path);
                        }
                    }
                }
            }
        }
        return operations;
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
