package io.connectors.source.directory;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.connectors.spi.DataSourceProvider;
import io.connectors.spi.SourceDocument;
import io.connectors.testkit.contract.DataSourceContractTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract suite against a small tree in a temporary directory. Open resources are the process's file
 * descriptors that point into that tree, read from {@code /proc/self/fd} (so the suite needs Linux).
 */
class DirectoryDataSourceContractTest extends DataSourceContractTest {
    private static final Path FDS = Path.of("/proc/self/fd");

    @TempDir
    static Path root;
    private static Path realRoot;
    private static final Set<String> IDS = new TreeSet<>();

    @BeforeAll
    static void prepareTree() throws IOException {
        assumeTrue(Files.isDirectory(FDS), "needs /proc/self/fd to observe open directories");
        for (String id : List.of("README.md", "a.txt", "docs/guide.md", "docs/api/index.html", "docs/api/data.bin",
                "src/main/App.java", "src/main/resources/app.properties", "src/test/AppTest.java", "z/empty")) {
            Path file = root.resolve(id);
            Files.createDirectories(file.getParent());
            Files.writeString(file, id.endsWith("empty") ? "" : "content of " + id);
            IDS.add(id);
        }
        Files.createDirectories(root.resolve("empty-directory"));
        Files.createSymbolicLink(root.resolve("link-to-readme"), root.resolve("README.md"));
        realRoot = root.toRealPath();
    }

    @Override
    protected DataSourceProvider provider() {
        return new DirectoryDataSourceProvider();
    }

    @Override
    protected Map<String, Object> validConfiguration() {
        return Map.of("path", root.toString());
    }

    @Override
    protected Set<String> expectedIds() {
        return IDS;
    }

    @Override
    protected Map<String, Object> unreachableConfiguration() {
        return Map.of("path", missing().toString());
    }

    @Override
    protected String unreachableMessageFragment() {
        return missing().toString();
    }

    @Override
    protected List<InvalidConfiguration> invalidConfigurations() {
        return List.of(
                invalid("blank path", Map.of("path", " "), "path"),
                invalid("path is a file", Map.of("path", root.resolve("a.txt").toString()), "path"),
                invalid("path does not exist", Map.of("path", missing().toString()), "path"),
                invalid("empty include", withPath(Map.of("include", List.of())), "include"),
                invalid("absolute exclude pattern", withPath(Map.of("exclude", List.of("/tmp/**"))), "exclude"),
                invalid("bad glob", withPath(Map.of("include", List.of("docs/[a-"))), "include"),
                invalid("content size too large", withPath(Map.of("max_content_size", "1gb")), "max_content_size"),
                invalid("content size not a size", withPath(Map.of("max_content_size", "big")), "max_content_size"),
                invalid("follow_symlinks not a boolean", withPath(Map.of("follow_symlinks", "sometimes")), "follow_symlinks"),
                invalid("extract_text, removed", withPath(Map.of("extract_text", true)), "extract_text"),
                invalid("misspelt field", withPath(Map.of("inlcude", List.of("**"))), "inlcude"));
    }

    @Override
    protected Optional<SourceDocument> vanishedItem(SourceDocument existing) {
        return Optional.of(SourceDocument.deferred("docs/no-such-file.md", existing.version().orElseThrow(),
                existing.state()));
    }

    // tag::open-resources[]
    @Override
    protected long openResourceCount() {
        try (Stream<Path> fds = Files.list(FDS)) {
            return fds.filter(fd -> pointsIntoRoot(fd)).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
    // end::open-resources[]

    private static boolean pointsIntoRoot(Path fd) {
        try {
            return Files.readSymbolicLink(fd).startsWith(realRoot);
        } catch (IOException e) {
            return false; // closed between the listing and the read, such as the listing's own descriptor
        }
    }

    private static Path missing() {
        return root.resolve("no-such-directory");
    }

    private static Map<String, Object> withPath(Map<String, Object> raw) {
        return with(raw, "path", root.toString());
    }
}
