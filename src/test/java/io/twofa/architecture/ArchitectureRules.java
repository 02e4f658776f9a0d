package io.twofa.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.lang.conditions.ArchConditions.callMethodWhere;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import java.util.List;
import java.util.Set;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

/**
 * The dependency rules of src/main/java/io/twofa/package-info.java, for a root package: {@code io.twofa} for the
 * service, another root for the examples that show each rule failing (ArchitectureTest).
 */
final class ArchitectureRules {

    /** Types whose use means SQL or HQL is written right there. */
    static final Set<String> SQL_TYPES = Set.of("io.vertx.mutiny.sqlclient.Pool", "io.vertx.mutiny.sqlclient.SqlClient",
            "io.vertx.mutiny.sqlclient.SqlConnection", "io.vertx.sqlclient.Pool", "io.vertx.sqlclient.SqlClient",
            "org.hibernate.reactive.mutiny.Mutiny$Session", "org.hibernate.reactive.mutiny.Mutiny$StatelessSession");
    /** HQL-taking methods of Panache repositories (find("..."), update("..."), ...). */
    static final Set<String> HQL_METHODS = Set.of("find", "list", "stream", "count", "delete", "update", "exists");
    static final List<String> TRANSACTION_ANNOTATIONS = List.of(
            "io.quarkus.hibernate.reactive.panache.common.WithTransaction",
            "io.quarkus.hibernate.reactive.panache.common.WithSession",
            "io.quarkus.hibernate.reactive.panache.common.WithSessionOnDemand");

    private final String root;

    ArchitectureRules(String root) {
        this.root = root;
    }

    List<ArchRule> all() {
        return List.of(noCycleBetweenFeatures(), noCycleBetweenPackages(), resourcesLiveInHttpPackages(),
                resourcesOpenNoTransaction(), resourcesHoldNoSql(), repositoriesServeTheirOwnFeature(),
                sqlOnlyInRepositories(), hqlOnlyInRepositories(), wireTypesOnlyInHttpPackages(), wireRecordsOnlyInHttpPackages());
    }

    ArchRule noCycleBetweenFeatures() {
        return slices().matching(root + ".(*)..").namingSlices("feature $1").should().beFreeOfCycles()
                .as("no cycle between features");
    }

    ArchRule noCycleBetweenPackages() {
        return slices().matching(root + ".(**)").namingSlices("package $1").should().beFreeOfCycles()
                .as("no cycle between packages");
    }

    ArchRule resourcesLiveInHttpPackages() {
        return classes().that().resideInAPackage(root + "..").and().areAnnotatedWith("jakarta.ws.rs.Path")
                .should().resideInAPackage("..http..").as("resources live in http packages");
    }

    ArchRule resourcesOpenNoTransaction() {
        return noClasses().that().resideInAPackage(root + "..").and().areAnnotatedWith("jakarta.ws.rs.Path")
                .should(callMethodWhere(describe("Panache.withTransaction/withSession",
                        (JavaMethodCall call) -> call.getTargetOwner().getName().equals("io.quarkus.hibernate.reactive.panache.Panache")
                                && call.getName().startsWith("with"))))
                .orShould(haveAMethodAnnotatedWithAnyOf(TRANSACTION_ANNOTATIONS))
                .as("resources open no transaction");
    }

    ArchRule resourcesHoldNoSql() {
        return noClasses().that().resideInAPackage(root + "..").and().areAnnotatedWith("jakarta.ws.rs.Path")
                .should().dependOnClassesThat(describe("a SQL client, a Hibernate session or a repository",
                        c -> SQL_TYPES.contains(c.getName()) || c.getSimpleName().endsWith("Repository")
                                || c.getName().equals("io.twofa.database.Sql")))
                .as("resources hold no SQL");
    }

    ArchRule repositoriesServeTheirOwnFeature() {
        return classes().that().resideInAPackage(root + "..")
                .should(new ArchCondition<JavaClass>("use only their own feature's repositories") {
                    @Override
                    public void check(JavaClass origin, ConditionEvents events) {
                        origin.getDirectDependenciesFromSelf().forEach(d -> {
                            JavaClass target = d.getTargetClass();
                            if (target.getSimpleName().endsWith("Repository") && target.getPackageName().startsWith(root + ".")
                                    && !feature(target).equals(feature(origin))) {
                                events.add(SimpleConditionEvent.violated(origin, d.getDescription()));
                            }
                        });
                    }
                }).as("a repository is used only by its own feature");
    }

    ArchRule sqlOnlyInRepositories() {
        return noClasses().that().resideInAPackage(root + "..").and().haveSimpleNameNotEndingWith("Repository")
                .and().resideOutsideOfPackage(root + ".database..")
                .should().dependOnClassesThat(describe("a SQL client or a Hibernate session", c -> SQL_TYPES.contains(c.getName())))
                .orShould(callMethodWhere(describe("Sql.of/compose (SQL text)",
                        (JavaMethodCall call) -> call.getTargetOwner().getName().equals(root + ".database.Sql")
                                || call.getTargetOwner().getName().equals("io.twofa.database.Sql"))))
                .as("SQL only in repository classes");
    }

    ArchRule hqlOnlyInRepositories() {
        return noClasses().that().resideInAPackage(root + "..").and().haveSimpleNameNotEndingWith("Repository")
                .should(callMethodWhere(describe("a Panache query method with HQL text",
                        (JavaMethodCall call) -> HQL_METHODS.contains(call.getName())
                                && call.getTarget().getRawParameterTypes().size() > 0
                                && call.getTarget().getRawParameterTypes().get(0).isEquivalentTo(String.class)
                                && (call.getTargetOwner().isAssignableTo("io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase")
                                        || call.getTargetOwner().isAssignableTo("io.quarkus.hibernate.reactive.panache.PanacheEntityBase")))))
                .as("HQL only in repository classes");
    }

    ArchRule wireTypesOnlyInHttpPackages() {
        return noClasses().that().resideInAPackage(root + "..").and().resideOutsideOfPackage("..http..")
                .should().dependOnClassesThat().resideInAPackage("com.fasterxml.jackson.annotation..")
                .as("wire types (Jackson annotations) only in http packages");
    }

    ArchRule wireRecordsOnlyInHttpPackages() {
        return noClasses().that().resideInAPackage(root + "..").and().areRecords()
                .and(describe("named like a request or an answer",
                        c -> c.getSimpleName().endsWith("Request") || c.getSimpleName().endsWith("Response")
                                || c.getSimpleName().endsWith("View")))
                .should().resideOutsideOfPackage("..http..").as("wire records only in http packages");
    }

    /** The first package below the root: the feature (or shared package) a class belongs to. */
    private String feature(JavaClass c) {
        String rest = c.getPackageName().substring(root.length() + 1);
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }

    private static ArchCondition<JavaClass> haveAMethodAnnotatedWithAnyOf(List<String> annotations) {
        return new ArchCondition<>("have a method or be annotated with " + annotations) {
            @Override
            public void check(JavaClass c, ConditionEvents events) {
                boolean annotated = annotations.stream().anyMatch(c::isAnnotatedWith)
                        || c.getMethods().stream().anyMatch(m -> annotations.stream().anyMatch(m::isAnnotatedWith));
                events.add(new SimpleConditionEvent(c, annotated, c.getName()
                        + (annotated ? " opens a transaction by annotation" : " opens no transaction by annotation")));
            }
        };
    }
}
