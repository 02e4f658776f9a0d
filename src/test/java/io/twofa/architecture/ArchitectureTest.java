package io.twofa.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;

/**
 * The service keeps the dependency rules of its package documentation (src/main/java/io/twofa/package-info.java),
 * and each rule is shown to fail on an example that breaks it (src/test/resources/archfixtures, compiled here, outside
 * the application so that Quarkus never sees them).
 */
class ArchitectureTest {

    private static JavaClasses service;

    @BeforeAll
    static void importService() {
        service = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.twofa");
    }

    @Test
    void theServiceKeepsEveryRule() {
        assertThat(service.size()).as("classes imported").isGreaterThan(50);
        for (ArchRule rule : new ArchitectureRules("io.twofa").all()) {
            rule.check(service);
        }
    }

    @Test
    void eachRuleFailsOnAnExampleThatBreaksIt(@TempDir Path out) throws IOException {
        JavaClasses examples = new ClassFileImporter().importPath(compileExamples(out));
        ArchitectureRules rules = new ArchitectureRules("arch");
        Map<ArchRule, String> breakers = Map.of(
                rules.noCycleBetweenFeatures(), "feature alpha",
                rules.noCycleBetweenPackages(), "arch.cycle.a",
                rules.resourcesLiveInHttpPackages(), "arch.alpha.OutsideResource",
                rules.resourcesOpenNoTransaction(), "arch.alpha.http.AlphaResource",
                rules.resourcesHoldNoSql(), "arch.alpha.http.AlphaResource",
                rules.repositoriesServeTheirOwnFeature(), "arch.beta.BetaService",
                rules.sqlOnlyInRepositories(), "arch.alpha.AlphaService",
                rules.hqlOnlyInRepositories(), "arch.gamma.GammaService",
                rules.wireTypesOnlyInHttpPackages(), "arch.alpha.AlphaService",
                rules.wireRecordsOnlyInHttpPackages(), "arch.alpha.AlphaService$AlphaResponse");
        assertThat(breakers).as("one example per rule").hasSameSizeAs(rules.all());
        breakers.forEach((rule, culprit) -> {
            EvaluationResult result = rule.evaluate(examples);
            assertThat(result.hasViolation()).as("'%s' fails on its example", rule.getDescription()).isTrue();
            assertThat(String.join("\n", result.getFailureReport().getDetails()))
                    .as("'%s' names the class that breaks it", rule.getDescription()).contains(culprit);
        });
        // the repositories and the resource in its http package are not reported where they are allowed
        assertThat(String.join("\n", rules.sqlOnlyInRepositories().evaluate(examples).getFailureReport().getDetails()))
                .doesNotContain("AlphaRepository");
        assertThat(String.join("\n", rules.resourcesLiveInHttpPackages().evaluate(examples).getFailureReport().getDetails()))
                .doesNotContain("AlphaResource");
    }

    private static Path compileExamples(Path out) throws IOException {
        Path sources = Path.of("src/test/resources/archfixtures");
        List<String> files;
        try (Stream<Path> walk = Files.walk(sources)) {
            files = walk.filter(p -> p.toString().endsWith(".java")).map(Path::toString).toList();
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<String> args = new java.util.ArrayList<>(List.of("-proc:none", "-nowarn", "-d", out.toString(),
                "-cp", System.getProperty("java.class.path")));
        args.addAll(files);
        int status = javac.run(null, null, null, args.toArray(String[]::new));
        assertThat(status).as("the examples compile").isZero();
        return out;
    }
}
