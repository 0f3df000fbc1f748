package io.connectors.functional.controlplane;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * A tree of small Markdown files for the {@code directory} source: {@code d<folder>/f<number>.md}, 1,000 per folder,
 * ASCII names. The source's id of a file is its path relative to the root with {@code /} separators
 * (docs/sources/directory.md), and these paths are far below Elasticsearch's 512-byte id limit, so the ids in the
 * index are exactly {@link #ids()}.
 */
final class SourceTree {
    private static final int PER_FOLDER = 1000;

    private final Path root;

    private SourceTree(Path root) {
        this.root = root;
    }

    /** Creates {@code files} files under {@code root} (in parallel; a few seconds for 50,000). */
    static SourceTree generate(Path root, int files) throws IOException {
        Files.createDirectories(root);
        IntStream.range(0, (files + PER_FOLDER - 1) / PER_FOLDER).forEach(d -> createDirectory(root.resolve(folder(d))));
        IntStream.range(0, files).parallel().forEach(i -> write(root.resolve(relative(i)), text(i, 0)));
        return new SourceTree(root);
    }

    Path root() {
        return root;
    }

    /** The id of file number {@code i}. */
    static String relative(int i) {
        return folder(i / PER_FOLDER) + "/" + String.format(Locale.ROOT, "f%06d.md", i);
    }

    private static String folder(int d) {
        return String.format(Locale.ROOT, "d%03d", d);
    }

    private static final String[] WORDS = ("the of and to in is that for it as was with be by on not this are from at which"
            + " index cluster shard replica document mapping query bulk request response latency throughput connector"
            + " source sync cursor pipeline schema field backpressure scheduler daemon heartbeat worker lease cancel"
            + " suspend resume snapshot retry timeout buffer batch walk folder file text search analyzer token").split(" ");

    /**
     * About 1.5 to 4.5 KB of Markdown, different for each file and revision: enough text that Elasticsearch's
     * indexing, not the walk, sets the pace, so a sync of tens of thousands of files lasts several seconds.
     */
    static String text(int i, int revision) {
        StringBuilder sb = new StringBuilder(4096);
        sb.append("# File ").append(i);
        if (revision > 0) {
            sb.append(" (revision ").append(revision).append(')');
        }
        sb.append("\n\n");
        long x = i * 0x9E3779B97F4A7C15L + revision;
        int words = 250 + i % 500;
        for (int w = 0; w < words; w++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
            sb.append(WORDS[(int) ((x >>> 33) % WORDS.length)]).append(w % 16 == 15 ? ".\n" : " ");
        }
        return sb.append('\n').toString();
    }

    /** Adds a file at {@code relativePath} (its folder created if needed). */
    void add(String relativePath, String text) {
        Path file = root.resolve(relativePath);
        createDirectory(file.getParent());
        write(file, text);
    }

    void delete(String relativePath) throws IOException {
        Files.delete(root.resolve(relativePath));
    }

    /** The ids of every regular file now in the tree, read from the disk (not from what was written). */
    Set<String> ids() throws IOException {
        Set<String> ids = new HashSet<>();
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(Files::isRegularFile).forEach(f -> ids.add(root.relativize(f).toString().replace('\\', '/')));
        }
        return ids;
    }

    String read(String relativePath) throws IOException {
        return Files.readString(root.resolve(relativePath), StandardCharsets.UTF_8);
    }

    /** Some ids spread over the tree, for content checks. */
    static List<String> sample(Set<String> ids, int n) {
        List<String> sorted = ids.stream().sorted().toList();
        int step = Math.max(1, sorted.size() / n);
        return IntStream.range(0, Math.min(n, sorted.size())).mapToObj(k -> sorted.get(k * step)).toList();
    }

    /**
     * Asserts the index holds exactly this tree: the same set of ids (differences listed, at most 10 of each kind),
     * and for a sample of 20 files, {@code path} and {@code content} equal to the file's.
     */
    void assertIndexEquals(StateReader es, String index) throws IOException, InterruptedException {
        Set<String> expected = ids();
        Set<String> actual = es.ids(index);
        if (!expected.equals(actual)) {
            List<String> missing = expected.stream().filter(id -> !actual.contains(id)).sorted().limit(10).toList();
            List<String> extra = actual.stream().filter(id -> !expected.contains(id)).sorted().limit(10).toList();
            throw new AssertionError("index " + index + " (" + actual.size() + " documents) differs from " + root + " ("
                    + expected.size() + " files): missing " + missing + ", extra " + extra);
        }
        for (String id : sample(expected, 20)) {
            var doc = es.document(index, id).orElseThrow(() -> new AssertionError(id + " vanished from " + index));
            if (!id.equals(doc.path("path").asText()) || !read(id).equals(doc.path("content").asText())) {
                throw new AssertionError("document " + id + " of " + index + " does not match its file: " + doc);
            }
        }
    }

    private static void createDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
