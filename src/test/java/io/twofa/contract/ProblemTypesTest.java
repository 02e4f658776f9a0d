package io.twofa.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.twofa.error.ProblemType;

/** Every problem type the service can answer is one entry of {@link ProblemType}, and openapi.yaml lists the same. */
class ProblemTypesTest {

    private static JsonNode problemTypeSchema() throws IOException {
        return new ObjectMapper(new YAMLFactory()).readTree(Files.readString(Path.of("openapi.yaml")))
                .path("components").path("schemas").path("ProblemType");
    }

    @Test
    void theContractListsExactlyTheServicesProblemTypes() throws IOException {
        List<String> documented = new ArrayList<>();
        problemTypeSchema().path("enum").forEach(n -> documented.add(n.asText()));
        List<String> served = Arrays.stream(ProblemType.values()).map(ProblemType::uri).toList();
        assertThat(documented).as("components.schemas.ProblemType.enum in openapi.yaml").containsExactlyInAnyOrderElementsOf(served);
    }

    @Test
    void eachTypeIsExplainedWithItsStatus() throws IOException {
        String table = problemTypeSchema().path("description").asText();
        for (ProblemType type : ProblemType.values()) {
            assertThat(table).as("the table row of %s", type.uri()).contains("| `" + type.uri() + "` | " + type.status() + " |");
        }
    }
}
