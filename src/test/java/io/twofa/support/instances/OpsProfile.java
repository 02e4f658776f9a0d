package io.twofa.support.instances;

import java.util.List;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** A service instance on its own PostgreSQL server ({@link OpsPostgresResource}); Quarkus restarts for it. */
public abstract class OpsProfile implements QuarkusTestProfile {

    public abstract String name();

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(OpsPostgresResource.class, Map.of("name", name()), true));
    }

    /** Two instances on one database. */
    public static class TwoInstances extends OpsProfile {
        @Override
        public String name() {
            return "two-instances";
        }
    }

    /** PostgreSQL stopped and started under a running instance. */
    public static class Outage extends OpsProfile {
        @Override
        public String name() {
            return "outage";
        }
    }
}
