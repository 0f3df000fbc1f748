package io.connectors.source.directory;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.spi.SourceDocument;
import io.connectors.testkit.functional.SourceFixture;
import io.connectors.testkit.functional.SourceFixture.Truth;
import io.connectors.testkit.functional.SourceFixtureTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The fixture of {@code make ftest NAME=directory}: its tree, its ground truth, and what the source makes of both. The
 * oracle is what the directory source itself emits.
 */
class DirectoryFixtureTest extends SourceFixtureTest<DirectoryFixture> {

    @Override
    protected DirectoryFixture createFixture() {
        return new DirectoryFixture();
    }

    // Reaches every non-ASCII name (one file in 250) and files 7 and 2,507, under a path longer than 512 bytes.
    @Override
    protected int count() {
        return 2_600;
    }

    @Override
    protected Map<String, Map<String, Object>> indexedSources() {
        Map<String, Map<String, Object>> sources = new HashMap<>();
        for (SourceDocument doc : Fixtures.readBuilt(Fixtures.source(root()))) {
            sources.put(doc.id(), doc.fields());
        }
        return sources;
    }

    private Path root() {
        return Path.of((String) fixture().connectorConfiguration().get("path"));
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
    void idsAreRelativePathsSomeLongAndNonAscii() throws Exception {
        assertThat(truth()).extracting(Truth::id)
                .anySatisfy(id -> assertThat(id.getBytes(StandardCharsets.UTF_8).length).isGreaterThan(512))
                .anySatisfy(id -> assertThat(id).contains("𝄞"))
                .allSatisfy(id -> assertThat(id).doesNotStartWith("/"));
    }

    @Test
    void filesAreRealisticTextOfVaryingSizeAtMost1000EntriesPerFolder() throws Exception {
        long[] sizes;
        try (var files = Files.walk(root())) {
            sizes = files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sorted().toArray();
        }
        assertThat(sizes).hasSize(count());
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
    void anUpdateMovesTheModificationTimeForwardLikeARealEdit() throws Exception {
        Map<String, FileTime> modified = new HashMap<>();
        for (String id : truthById().keySet()) {
            modified.put(id, Files.getLastModifiedTime(root().resolve(id)));
        }

        SourceFixture.Mutation m = fixture().mutate(ADDS, UPDATES, DELETES);

        for (String id : m.updated()) {
            assertThat(Files.getLastModifiedTime(root().resolve(id))).as(id).isGreaterThan(modified.get(id));
        }
    }

    @Test
    void theDigestFollowsTheSourceTextRules() {
        byte[] text = "héllo".getBytes(StandardCharsets.UTF_8);
        String digest = DirectoryFixture.digestOfFile(text);
        assertThat(fixture().digestOfIndexed(Map.of("content", "héllo", "path", "a.txt"))).isEqualTo(digest);
        byte[] withBom = new byte[text.length + 3];
        withBom[0] = (byte) 0xEF;
        withBom[1] = (byte) 0xBB;
        withBom[2] = (byte) 0xBF;
        System.arraycopy(text, 0, withBom, 3, text.length);
        assertThat(DirectoryFixture.digestOfFile(withBom)).isEqualTo(digest);
        // Not UTF-8 text: the runtime's content extraction must have given it text.
        String extracted = DirectoryFixture.extracted("extracted");
        assertThat(DirectoryFixture.digestOfFile(new byte[] {'a', 0, 'b'})).isEqualTo(extracted);
        assertThat(DirectoryFixture.digestOfFile(new byte[] {(byte) 0xC3})).isEqualTo(extracted);
        assertThat(fixture().digestOfIndexed(Map.of("path", "a.bin", "content", "a b",
                "content_metadata", Map.of("outcome", "extracted")))).isEqualTo(extracted);
        assertThat(fixture().digestOfIndexed(Map.of("path", "a.bin", "content_metadata", Map.of("outcome", "timeout"))))
                .isNotEqualTo(extracted);
        assertThat(fixture().digestOfIndexed(Map.of())).isEqualTo(DirectoryFixture.NO_CONTENT);
        // A corpus document: its extracted text must hold its phrase.
        String phrase = io.connectors.testkit.corpus.DocumentCorpus.phrase("s0003", "docx");
        assertThat(fixture().digestOfIndexed(Map.of("path", "binary/set-0003/s0003.docx", "content", "Title\n"
                + phrase.replace(" marigold", "\nmarigold"), "content_metadata", Map.of("outcome", "extracted"))))
                .isEqualTo(DirectoryFixture.binaryDigest(phrase));
        assertThat(fixture().digestOfIndexed(Map.of("path", "binary/set-0003/s0003.docx", "content", "other text")))
                .isNotEqualTo(DirectoryFixture.binaryDigest(phrase));
        assertThat(fixture().digestFields()).containsExactly("content", "path", "content_metadata");
        assertThat(fixture().type()).isEqualTo("directory");
        assertThat(fixture().supportsIncremental()).isFalse();
    }
}
