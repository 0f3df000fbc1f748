package io.connectors.functional;

import io.connectors.testkit.functional.SourceFixture;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Finds a source's {@link SourceFixture} with {@link ServiceLoader}. Each source ships its fixture in its test jar,
 * which the build copies to {@code target/connectors/ftest-lib} (see {@code connectors-sources/pom.xml}); the
 * harness runs with that folder on its class path.
 */
public final class FixtureLoader {

    private FixtureLoader() {
    }

    /**
     * A new instance of the fixture whose {@link SourceFixture#type()} is {@code type}.
     *
     * @throws IllegalArgumentException naming the types found when none, or more than one, serves {@code type}
     */
    public static SourceFixture load(String type) {
        TreeMap<String, List<SourceFixture>> byType = new TreeMap<>();
        ServiceLoader<SourceFixture> loader = ServiceLoader.load(SourceFixture.class);
        try {
            for (SourceFixture fixture : loader) {
                byType.computeIfAbsent(fixture.type(), t -> new ArrayList<>()).add(fixture);
            }
        } catch (ServiceConfigurationError e) {
            throw new IllegalStateException("A source fixture could not be loaded: " + e.getMessage(), e);
        }
        List<SourceFixture> found = byType.get(type);
        if (found == null) {
            throw new IllegalArgumentException("No functional-test fixture for source type '" + type + "'; fixtures found: "
                    + (byType.isEmpty() ? "none" : String.join(", ", byType.keySet()))
                    + ". A source ships its fixture in its test jar (see docs/functional-tests.md); run `make build`"
                    + " so target/connectors/ftest-lib holds it.");
        }
        if (found.size() > 1) {
            throw new IllegalArgumentException("Source type '" + type + "' has " + found.size() + " fixtures: "
                    + found.stream().map(f -> f.getClass().getName()).toList() + "; keep one");
        }
        return found.get(0);
    }
}
