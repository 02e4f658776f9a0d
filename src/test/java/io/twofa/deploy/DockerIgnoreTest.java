package io.twofa.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The {@code .dockerignore} rules the deploy tests rely on, as the Docker builder documents them. */
class DockerIgnoreTest {

    @Test
    void patternsAreAnchoredAtTheContextRoot() {
        DockerIgnore ignore = DockerIgnore.parse(List.of("*.pem", "/keys/", "./data"));
        assertThat(ignore.excludes("server.pem")).isTrue();
        assertThat(ignore.excludes("src/server.pem")).as("* does not cross /").isFalse();
        assertThat(ignore.excludes("keys/signing/a.pem")).as("a directory takes what is below it").isTrue();
        assertThat(ignore.excludes("src/test/java/io/twofa/keys/KeyRotationTest.java")).isFalse();
        assertThat(ignore.excludes("data")).isTrue();
        assertThat(ignore.excludes("database.sql")).isFalse();
    }

    @Test
    void doubleStarMatchesAnyNumberOfDirectories() {
        DockerIgnore ignore = DockerIgnore.parse(List.of("**/*.key", "**/target/", "a/**/z"));
        assertThat(ignore.excludes("x.key")).as("also none").isTrue();
        assertThat(ignore.excludes("src/main/resources/x.key")).isTrue();
        assertThat(ignore.excludes("x.keys")).isFalse();
        assertThat(ignore.excludes("target/classes/A.class")).isTrue();
        assertThat(ignore.excludes("bench/target/x")).isTrue();
        assertThat(ignore.excludes("targets/x")).isFalse();
        assertThat(ignore.excludes("a/z")).isTrue();
        assertThat(ignore.excludes("a/b/c/z")).isTrue();
        assertThat(ignore.excludes("a/b/c/zz")).isFalse();
    }

    @Test
    void theLastMatchingPatternDecides() {
        DockerIgnore ignore = DockerIgnore.parse(List.of("# only the sources", "*", "!src/", "!pom.xml",
                "**/*.pem", "!src/test/resources/fixture.pem", ""));
        assertThat(ignore.excludes("README.md")).isTrue();
        assertThat(ignore.excludes("pom.xml")).isFalse();
        assertThat(ignore.excludes("src/main/java/A.java")).as("let back in by !src/").isFalse();
        assertThat(ignore.excludes("src/main/resources/secret.pem")).as("excluded again by a later line").isTrue();
        assertThat(ignore.excludes("src/test/resources/fixture.pem")).as("and let in again").isFalse();
        assertThat(ignore.excludes("target/quarkus-app/quarkus-run.jar")).isTrue();
    }

    @Test
    void questionMarksClassesAndEscapes() {
        DockerIgnore ignore = DockerIgnore.parse(List.of("file?.txt", "log[0-9]", "[!a]x", "star\\*"));
        assertThat(ignore.excludes("file1.txt")).isTrue();
        assertThat(ignore.excludes("file10.txt")).isFalse();
        assertThat(ignore.excludes("log7")).isTrue();
        assertThat(ignore.excludes("logx")).isFalse();
        assertThat(ignore.excludes("bx")).isTrue();
        assertThat(ignore.excludes("ax")).isFalse();
        assertThat(ignore.excludes("star*")).isTrue();
        assertThat(ignore.excludes("starlight")).isFalse();
    }

    @Test
    void aWalkLooksIntoExcludedDirectoriesOnlyWhereSomethingMayBeLetBackIn() {
        DockerIgnore ignore = DockerIgnore.parse(List.of("*", "!src/", "!.mvn/wrapper/*.properties"));
        assertThat(ignore.mayReincludeBelow("target")).isFalse();
        assertThat(ignore.mayReincludeBelow(".mvn")).isTrue();
        assertThat(ignore.mayReincludeBelow("src")).isTrue();
    }
}
