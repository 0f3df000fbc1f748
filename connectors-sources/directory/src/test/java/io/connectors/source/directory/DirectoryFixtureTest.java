package io.connectors.source.directory;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.spi.SourceDocument;
import io.connectors.testkit.functional.SourceFixture.Truth;
import io.connectors.testkit.functional.SourceFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fixture of {@code make ftest NAME=directory}: its tree, its ground truth, and what the source makes of both. */
class DirectoryFixtureTest {
    // Reaches every non-ASCII name (one file in 250) and files 7 and 2,507, under a path longer than 512 bytes.
    private static final int COUNT = 2_600;

    @TempDir
    Path work;
    private DirectoryFixture fixture;

    @BeforeEach
    void load() throws Exception {
        fixture = new DirectoryFixture();
        fixture.start(work);
        fixture.load(COUNT);
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    private Path root() {
        return Path.of((String) fixture.connectorConfiguration().get("path"));
    }

    private List<Truth> truth() throws Exception {
        List<Truth> truth = new ArrayList<>();
        fixture.groundTruth().forEachRemaining(truth::add);
        return truth;
    }

    /** What the source emits, as id and digest of its indexed fields. */
    private Map<String, String> sourceDigests() {
        Map<String, String> digests = new HashMap<>();
        for (SourceDocument doc : Fixtures.readBuilt(Fixtures.source(root()))) {
            digests.put(doc.id(), fixture.digestOfIndexed(doc.fields()));
        }
        return digests;
    }

    private static Map<String, String> asMap(List<Truth> truth) {
        Map<String, String> map = new LinkedHashMap<>();
        truth.forEach(t -> map.put(t.id(), t.digest()));
        return map;
    }

    @Test
    void theOraclesTextAgreesWithTheSourcesOnCraftedAndRandomBytes() {
        List<byte[]> inputs = new java.util.ArrayList<>(List.of(new byte[0], "plain".getBytes(StandardCharsets.UTF_8),
                "caf\u00e9 \u6771\u4eac \ud834\udd1e".getBytes(StandardCharsets.UTF_8),
                new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, 'a'}, new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
                new byte[] {'a', 0, 'b'}, new byte[] {(byte) 0xC0, (byte) 0x80}, new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0xAF},
                new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
                new byte[] {(byte) 0xF0, (byte) 0x9F, (byte) 0x98}, new byte[] {(byte) 0xE9}, new byte[] {(byte) 0xFF, (byte) 0xFE}));
        java.util.SplittableRandom random = new java.util.SplittableRandom(16);
        for (int n = 0; n < 20_000; n++) {
            byte[] bytes = new byte[random.nextInt(1, 8)];
            for (int k = 0; k < bytes.length; k++) {
                // Mostly bytes that start or continue multi-byte sequences, where the rules are subtle.
                bytes[k] = (byte) (random.nextInt(4) == 0 ? random.nextInt(0x01, 0x80) : random.nextInt(0x80, 0x100));
            }
            inputs.add(bytes);
        }

        for (byte[] bytes : inputs) {
            assertThat(DirectoryFixture.textOf(bytes)).as(java.util.HexFormat.of().formatHex(bytes))
                    .isEqualTo(FileExtractor.decode(bytes));
        }
    }

    @Test
    void isFoundByServiceLoader() {
        assertThat(ServiceLoader.load(SourceFixture.class).stream().map(p -> p.get().type()))
                .containsExactly("directory");
    }

    @Test
    void theGroundTruthIsWhatTheSourceEmitsInUnsignedUtf8OrderOfId() throws Exception {
        List<Truth> truth = truth();
        assertThat(truth).hasSize(COUNT);
        for (int i = 1; i < truth.size(); i++) {
            byte[] previous = truth.get(i - 1).id().getBytes(StandardCharsets.UTF_8);
            byte[] current = truth.get(i).id().getBytes(StandardCharsets.UTF_8);
            assertThat(Arrays.compareUnsigned(previous, current)).as("%s < %s", truth.get(i - 1).id(), truth.get(i).id())
                    .isNegative();
        }
        assertThat(truth).extracting(Truth::id)
                .anySatisfy(id -> assertThat(id.getBytes(StandardCharsets.UTF_8).length).isGreaterThan(512))
                .anySatisfy(id -> assertThat(id).contains("𝄞"))
                .allSatisfy(id -> assertThat(id).doesNotStartWith("/"));
        assertThat(sourceDigests()).isEqualTo(asMap(truth));
    }

    @Test
    void filesAreRealisticTextOfVaryingSizeAtMost1000EntriesPerFolder() throws Exception {
        long[] sizes;
        try (var files = Files.walk(root())) {
            sizes = files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sorted().toArray();
        }
        assertThat(sizes).hasSize(COUNT);
        assertThat(sizes[0]).isBetween(250L, 400L);
        assertThat(sizes[sizes.length - 1]).isGreaterThan(4_000L);
        assertThat(sizes[sizes.length / 2]).isBetween(800L, 3_000L);
        try (var dirs = Files.walk(root())) {
            for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                try (var entries = Files.list(dir)) {
                    assertThat(entries.count()).as(dir.toString()).isLessThanOrEqualTo(1000);
                }
            }
        }
        assertThat(DirectoryFixture.content(42, 0)).isEqualTo(DirectoryFixture.content(42, 0))
                .isNotEqualTo(DirectoryFixture.content(42, 1));
    }

    @Test
    void mutationsAddUpdateAndDeleteDistinctFilesLikeARealEdit() throws Exception {
        Map<String, String> before = asMap(truth());
        Map<String, FileTime> modified = new HashMap<>();
        for (String id : before.keySet()) {
            modified.put(id, Files.getLastModifiedTime(root().resolve(id)));
        }

        SourceFixture.Mutation m = fixture.mutate(100, 120, 130);

        assertThat(m.added()).hasSize(100).doesNotContainAnyElementsOf(before.keySet());
        assertThat(m.updated()).hasSize(120).allSatisfy(id -> assertThat(before).containsKey(id));
        assertThat(m.deleted()).hasSize(130).allSatisfy(id -> assertThat(before).containsKey(id));
        Set<String> touched = new HashSet<>(m.updated());
        touched.addAll(m.deleted());
        assertThat(touched).hasSize(250);

        Map<String, String> after = asMap(truth());
        assertThat(after).hasSize(COUNT + 100 - 130);
        for (String id : m.updated()) {
            assertThat(after.get(id)).as(id).isNotEqualTo(before.get(id));
            assertThat(Files.getLastModifiedTime(root().resolve(id))).as(id).isGreaterThan(modified.get(id));
        }
        m.deleted().forEach(id -> assertThat(after).doesNotContainKey(id));
        m.added().forEach(id -> assertThat(after).containsKey(id));
        long unchanged = before.keySet().stream().filter(id -> !touched.contains(id))
                .filter(id -> before.get(id).equals(after.get(id))).count();
        assertThat(unchanged).isEqualTo(COUNT - 250);
        assertThat(sourceDigests()).isEqualTo(after);
        assertThat(fixture.readAllWithOwnDriver()).isEqualTo(COUNT + 100 - 130);
    }

    @Test
    void loadingAgainReplacesTheTree() throws Exception {
        fixture.mutate(100, 100, 100);
        fixture.load(500);
        assertThat(truth()).hasSize(500);
        assertThat(fixture.readAllWithOwnDriver()).isEqualTo(500);
    }

    @Test
    void theDigestFollowsTheSourceTextRules() {
        byte[] text = "héllo".getBytes(StandardCharsets.UTF_8);
        String digest = DirectoryFixture.digestOfFile(text);
        assertThat(fixture.digestOfIndexed(Map.of("content", "héllo", "path", "a.txt"))).isEqualTo(digest);
        byte[] withBom = new byte[text.length + 3];
        withBom[0] = (byte) 0xEF;
        withBom[1] = (byte) 0xBB;
        withBom[2] = (byte) 0xBF;
        System.arraycopy(text, 0, withBom, 3, text.length);
        assertThat(DirectoryFixture.digestOfFile(withBom)).isEqualTo(digest);
        assertThat(DirectoryFixture.digestOfFile(new byte[] {'a', 0, 'b'})).isEqualTo(DirectoryFixture.NO_CONTENT);
        assertThat(DirectoryFixture.digestOfFile(new byte[] {(byte) 0xC3})).isEqualTo(DirectoryFixture.NO_CONTENT);
        assertThat(fixture.digestOfIndexed(Map.of())).isEqualTo(DirectoryFixture.NO_CONTENT);
        assertThat(fixture.digestFields()).containsExactly("content");
        assertThat(fixture.type()).isEqualTo("directory");
        assertThat(fixture.supportsIncremental()).isFalse();
    }
}
