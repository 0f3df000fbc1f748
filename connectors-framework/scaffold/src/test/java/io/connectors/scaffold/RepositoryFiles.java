package io.connectors.scaffold;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;

/** The repository these tests run in, and copies of its folders. */
final class RepositoryFiles {
    /** The repository's root: set by the pom, or two levels up from this module. */
    static final Path REPOSITORY = Path.of(System.getProperty("scaffold.repository.root", "../..")).toAbsolutePath().normalize();

    private RepositoryFiles() {
    }

    /** Copies the tree at {@code from} to {@code to}, leaving out every file or folder below one named in {@code skipped}. */
    static void copyTree(Path from, Path to, Set<String> skipped) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : (Iterable<Path>) files.filter(f -> !isSkipped(from.relativize(f), skipped))::iterator) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
    }

    private static boolean isSkipped(Path relative, Set<String> skipped) {
        for (Path part : relative) {
            if (skipped.contains(part.toString())) {
                return true;
            }
        }
        return false;
    }
}
