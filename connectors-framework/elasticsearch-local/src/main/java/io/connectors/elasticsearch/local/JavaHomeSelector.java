package io.connectors.elasticsearch.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Picks the JDK that runs Elasticsearch. The {@code integ-test-zip} distribution has no bundled JDK, and each
 * Elasticsearch major needs a minimum Java feature version.
 */
final class JavaHomeSelector {

    /** Where Debian and Ubuntu packages, and most CI images, install JDKs. */
    static final Path DEFAULT_SEARCH_ROOT = Path.of("/usr/lib/jvm");

    private static final Pattern JAVA_VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"?([0-9][^\"\\s]*)\"?\\s*$");

    private JavaHomeSelector() {
    }

    /** The lowest Java feature version the given Elasticsearch version runs on: 17 for 8.x, 21 from 9.0. */
    static int requiredFeature(String elasticsearchVersion) {
        return majorOf(elasticsearchVersion) >= 9 ? 21 : 17;
    }

    static int majorOf(String version) {
        int dot = version.indexOf('.');
        String major = dot < 0 ? version : version.substring(0, dot);
        try {
            return Integer.parseInt(major.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Not an Elasticsearch version: '" + version + "'", e);
        }
    }

    /**
     * The running JVM's home if its feature version is at least {@code required} and {@code usable} accepts it;
     * otherwise the JDK under {@code searchRoot} with the lowest feature version that is at least
     * {@code required} and usable (the closest to what that Elasticsearch was built and tested against).
     */
    static Optional<Path> select(int required, Path currentHome, int currentFeature, Path searchRoot,
            Predicate<Path> usable) {
        if (currentHome != null && currentFeature >= required && usable.test(currentHome)) {
            return Optional.of(currentHome);
        }
        record Candidate(Path home, int feature) {
        }
        List<Candidate> candidates = new ArrayList<>();
        for (Path home : jdksUnder(searchRoot)) {
            OptionalInt feature = featureVersionOf(home);
            if (feature.isPresent() && feature.getAsInt() >= required && usable.test(home)) {
                candidates.add(new Candidate(home, feature.getAsInt()));
            }
        }
        return candidates.stream()
                .min(Comparator.comparingInt(Candidate::feature).thenComparing(c -> c.home().toString()))
                .map(Candidate::home);
    }

    /** The feature version recorded in a JDK's {@code release} file ({@code 1.8.0_x} counts as 8). */
    static OptionalInt featureVersionOf(Path javaHome) {
        Path release = javaHome.resolve("release");
        if (!Files.isRegularFile(release)) {
            return OptionalInt.empty();
        }
        try {
            Matcher matcher = JAVA_VERSION.matcher(Files.readString(release, StandardCharsets.UTF_8));
            if (!matcher.find()) {
                return OptionalInt.empty();
            }
            String[] parts = matcher.group(1).split("[._+-]");
            int first = Integer.parseInt(parts[0]);
            return OptionalInt.of(first == 1 && parts.length > 1 ? Integer.parseInt(parts[1]) : first);
        } catch (IOException | NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    static boolean hasJavaExecutable(Path javaHome) {
        Path java = javaHome.resolve("bin").resolve("java");
        return Files.isRegularFile(java) && Files.isExecutable(java);
    }

    private static List<Path> jdksUnder(Path searchRoot) {
        if (searchRoot == null || !Files.isDirectory(searchRoot)) {
            return List.of();
        }
        // Distributions add aliases (java-1.17.0-openjdk-amd64 -> java-17-openjdk-amd64): count each JDK once.
        Set<Path> homes = new LinkedHashSet<>();
        try (Stream<Path> children = Files.list(searchRoot)) {
            for (Path child : children.sorted().toList()) {
                if (Files.isDirectory(child) && hasJavaExecutable(child)) {
                    try {
                        homes.add(child.toRealPath());
                    } catch (IOException e) {
                        // Vanished or unreadable: not a candidate.
                    }
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        return List.copyOf(homes);
    }
}
