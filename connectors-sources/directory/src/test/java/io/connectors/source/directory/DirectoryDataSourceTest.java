package io.connectors.source.directory;

import static io.connectors.source.directory.Fixtures.readAll;
import static io.connectors.source.directory.Fixtures.readBuilt;
import static io.connectors.source.directory.Fixtures.source;
import static io.connectors.source.directory.Fixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connectors.spi.LazyBody;
import io.connectors.spi.SourceContext;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SourceException;
import io.connectors.spi.config.ConfigValidationException;
import io.connectors.spi.rules.SyncRules;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;

class DirectoryDataSourceTest {
    @TempDir
    Path root;

    // ------------------------------------------------------------------------------------------ fields

    @Test
    void textFileHasEveryField() throws IOException {
        Path file = write(root, "docs/Guide.MD", "# Guide\nhello wörld\n");
        Instant modified = Instant.parse("2024-05-06T07:08:09.123456789Z");
        Files.setLastModifiedTime(file, FileTime.from(modified));

        byte[] written = Files.readAllBytes(file);
        Instant created = Files.readAttributes(file, BasicFileAttributes.class).creationTime().toInstant();

        SourceDocument doc = single(source(root));

        assertThat(doc.id()).isEqualTo("docs/Guide.MD");
        assertThat(doc.fields()).containsExactly(
                Map.entry("path", "docs/Guide.MD"),
                Map.entry("name", "Guide.MD"),
                Map.entry("extension", "md"),
                Map.entry("size", 21L),
                Map.entry("mime_type", "text/markdown"),
                Map.entry("created", created),
                Map.entry("modified", modified),
                Map.entry("content", "# Guide\nhello wörld\n"));
        assertThat(doc.version()).hasValue("1714979289.123456789:21:text-1048576");
        // The fast path: UTF-8 text is read here, not handed to content extraction.
        assertThat(doc.body()).isEmpty();
        assertThat(written).hasSize(21);
    }

    @Test
    void binaryFileHasABodyForExtractionAndNoContent() throws IOException {
        write(root, "image.bin", new byte[] {'G', 'I', 'F', '8', '9', 'a', 0, 1, 2, 3});
        write(root, "nul.txt", "text with a \0 NUL byte");

        Map<String, SourceDocument> docs = byId(readBuilt(source(root)));

        assertThat(docs.get("image.bin").fields()).doesNotContainKey("content")
                .containsEntry("mime_type", "image/gif").containsEntry("size", 10L);
        assertThat(docs.get("image.bin").body()).hasValueSatisfying(body -> {
            assertThat(body.size()).isEqualTo(10);
            assertThat(body.mimeType()).isEqualTo("image/gif");
            assertThat(body.name()).isEqualTo("image.bin");
            assertThat(bytes(body)).hasSize(10);
        });
        assertThat(docs.get("nul.txt").fields()).doesNotContainKey("content");
        assertThat(docs.get("nul.txt").body()).isPresent();
    }

    @Test
    void emptyFileHasEmptyContent() throws IOException {
        write(root, "empty", "");

        SourceDocument doc = single(source(root));

        assertThat(doc.fields()).containsEntry("content", "").containsEntry("size", 0L).containsEntry("extension", "");
        assertThat(doc.body()).isEmpty();
    }

    @Test
    void textThatIsNotUtf8GoesToContentExtraction() throws IOException {
        write(root, "latin1.txt", "café crème".getBytes(StandardCharsets.ISO_8859_1));
        write(root, "utf16.txt", "hello".getBytes(StandardCharsets.UTF_16LE));

        List<SourceDocument> docs = readBuilt(source(root));

        assertThat(docs).hasSize(2).allSatisfy(doc -> {
            assertThat(doc.fields()).doesNotContainKey("content");
            assertThat(doc.body()).isPresent();
        });
    }

    @Test
    void byteOrderMarkIsDropped() throws IOException {
        write(root, "bom.txt", "\uFEFFhello");

        assertThat(single(source(root)).fields()).containsEntry("content", "hello");
    }

    @Test
    void fileOverMaxContentSizeKeepsItsMetadataButNotItsText() throws IOException {
        write(root, "at-limit.txt", "x".repeat(100));
        write(root, "over-limit.txt", "x".repeat(101));

        Map<String, SourceDocument> docs = byId(readBuilt(source(root, "max_content_size", "100b")));

        assertThat(docs.get("at-limit.txt").fields()).containsEntry("content", "x".repeat(100));
        assertThat(docs.get("over-limit.txt").fields()).doesNotContainKey("content")
                .containsEntry("size", 101L).containsEntry("mime_type", "text/plain").containsKey("modified");
        // Larger text is content extraction's, whose own limits cut it.
        assertThat(docs.get("over-limit.txt").body()).isPresent();
        assertThat(docs.get("at-limit.txt").body()).isEmpty();
    }

    @Test
    void largeFileIsDetectedFromItsHeadWithoutBeingReadWhole() throws IOException {
        byte[] pdf = new byte[3 * 1024 * 1024];
        System.arraycopy("%PDF-1.7\n".getBytes(StandardCharsets.US_ASCII), 0, pdf, 0, 9);
        write(root, "big", pdf);

        SourceDocument doc = single(source(root));

        assertThat(doc.fields()).containsEntry("mime_type", "application/pdf").doesNotContainKey("content");
        assertThat(bytes(doc.body().orElseThrow())).hasSize(pdf.length);
    }

    @Test
    void withoutContentExtractionNoTextIsReadAndNoBodyAttached() throws IOException {
        write(root, "a.txt", "hello");
        write(root, "b.pdf", "%PDF-1.7\n\0\0");

        Map<String, SourceDocument> docs = byId(readBuilt(source(new SourceContext("test-connector",
                io.connectors.spi.network.NetworkPolicy.defaults(), false), root)));

        assertThat(docs.get("a.txt").fields()).doesNotContainKey("content").containsEntry("mime_type", "text/plain");
        assertThat(docs.get("a.txt").version()).hasValueSatisfying(v -> assertThat(v).endsWith(":no-text"));
        assertThat(docs.values()).allSatisfy(doc -> assertThat(doc.body()).isEmpty());
    }

    @Test
    void theRemovedExtractTextSaysWhereItWent() {
        assertThatThrownBy(() -> source(root, "extract_text", false))
                .isInstanceOf(io.connectors.spi.config.ConfigValidationException.class)
                .hasMessageContaining("extract_text")
                .hasMessageContaining("extract_content: false");
    }

    @Test
    void versionSeesASizeChangeThatKeptTheModificationTime() throws IOException {
        Path file = write(root, "a.txt", "one");
        FileTime mtime = FileTime.from(Instant.parse("2023-01-01T00:00:00.000000001Z"));
        Files.setLastModifiedTime(file, mtime);
        String first = single(source(root)).version().orElseThrow();
        assertThat(single(source(root)).version()).hasValue(first);

        Files.writeString(file, "three");
        Files.setLastModifiedTime(file, mtime);

        assertThat(single(source(root)).version()).hasValueSatisfying(v -> assertThat(v).isNotEqualTo(first));
    }

    @Test
    void versionSeesANanosecondChange() throws IOException {
        Path file = write(root, "a.txt", "one");
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2023-01-01T00:00:00.000000001Z")));
        String first = single(source(root)).version().orElseThrow();

        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2023-01-01T00:00:00.000000002Z")));

        assertThat(first).isEqualTo("1672531200.000000001:3:text-1048576");
        assertThat(single(source(root)).version()).hasValue("1672531200.000000002:3:text-1048576");
    }

    @Test
    void versionChangesWhenTheExtractionSettingsDo() throws IOException {
        write(root, "a.txt", "hello");

        String oneMegabyte = single(source(root)).version().orElseThrow();
        String twoMegabytes = single(source(root, "max_content_size", "2mb")).version().orElseThrow();

        assertThat(twoMegabytes).isNotEqualTo(oneMegabyte);
    }

    @Test
    void extensionIsLowerCaseWithoutTheDot() {
        assertThat(FileDocuments.extension("a.TAR.GZ")).isEqualTo("gz");
        assertThat(FileDocuments.extension("Makefile")).isEmpty();
        assertThat(FileDocuments.extension(".bashrc")).isEmpty();
        assertThat(FileDocuments.extension("notes.")).isEmpty();
        assertThat(FileDocuments.extension(".config.yml")).isEqualTo("yml");
    }

    @Test
    void mappingsAreExplicit() {
        assertThat(source(root).mappingProperties()).isEqualTo(Map.of(
                "path", Map.of("type", "keyword"),
                "name", Map.of("type", "keyword"),
                "extension", Map.of("type", "keyword"),
                "mime_type", Map.of("type", "keyword"),
                "size", Map.of("type", "long"),
                "created", Map.of("type", "date"),
                "modified", Map.of("type", "date"),
                "content", Map.of("type", "text")));
    }

    // ------------------------------------------------------------------------------------------ threading

    @Test
    void listsAndReadsOnBoundedElasticNotOnTheSubscribingThread() throws IOException {
        write(root, "a.txt", "a");
        Set<String> threads = ConcurrentHashMap.newKeySet();

        DirectoryDataSource source = source(root);

        List<SourceDocument> listed = readAll(source.getDocs(SyncRules.NONE)
                .doOnNext(d -> threads.add(Thread.currentThread().getName())));
        readAll(source.fetch(listed).doOnNext(d -> threads.add(Thread.currentThread().getName())));

        assertThat(threads).isNotEmpty().allSatisfy(name -> assertThat(name).startsWith("boundedElastic"));
    }

    // ------------------------------------------------------------------------------------------ root problems

    @Test
    void missingRootFailsPingValidationAndGetDocsNamingThePath() {
        Path missing = root.resolve("nope");
        DirectoryDataSource source = source(missing);

        StepVerifier.create(source.ping())
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(SourceException.class)
                        .hasMessage("directory " + missing + " does not exist"))
                .verify();
        StepVerifier.create(source.validateConfig())
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ConfigValidationException.class)
                        .hasMessage("path: directory " + missing + " does not exist"))
                .verify();
        StepVerifier.create(source.getDocs(SyncRules.NONE))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(SourceException.class)
                        .hasMessageContaining(missing.toString()))
                .verify();
    }

    @Test
    void rootThatIsAFileIsRefused() throws IOException {
        Path file = write(root, "file.txt", "x");

        StepVerifier.create(source(file).ping())
                .expectErrorMessage(file + " is not a directory")
                .verify();
        StepVerifier.create(source(file).getDocs(SyncRules.NONE))
                .expectErrorMessage(file + " is not a directory")
                .verify();
    }

    @Test
    void unreadableRootFailsEverything() {
        DirectoryWalker.Opener denied = dir -> {
            throw new AccessDeniedException(dir.toString());
        };
        DirectoryDataSource source = new DirectoryDataSource(Fixtures.config(root), Fixtures.CONTEXT, denied);
        String message = "directory " + root + " cannot be read: permission denied";

        StepVerifier.create(source.ping()).expectErrorMessage(message).verify();
        StepVerifier.create(source.validateConfig())
                .expectErrorSatisfies(e -> assertThat(((ConfigValidationException) e).errors())
                        .singleElement().satisfies(err -> {
                            assertThat(err.field()).isEqualTo("path");
                            assertThat(err.message()).isEqualTo(message);
                        }))
                .verify();
        StepVerifier.create(source.getDocs(SyncRules.NONE))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(SourceException.class).hasMessage(message)
                        .hasCauseInstanceOf(AccessDeniedException.class))
                .verify();
    }

    @Test
    void advancedRulesAreRefused() {
        SyncRules advanced = new SyncRules(List.of(), Map.of("query", "x"));

        StepVerifier.create(source(root).getDocs(advanced))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(SourceException.class)
                        .hasMessageContaining("no advanced sync rules"))
                .verify();
    }

    @Test
    void closeHasNothingToReleaseAndCanBeRepeated() {
        DirectoryDataSource source = source(root);

        StepVerifier.create(source.close()).verifyComplete();
        StepVerifier.create(source.close()).verifyComplete();
        StepVerifier.create(source.changed()).expectNext(true).verifyComplete();
    }

    // ------------------------------------------------------------------------------------------ body

    @Test
    void bodyOfAVanishedFileFailsNamingIt() throws IOException {
        Path file = write(root, "gone.bin", new byte[] {0, 1, 2});
        LazyBody body = single(source(root)).body().orElseThrow();
        Files.delete(file);

        StepVerifier.create(body.content())
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(SourceException.class)
                        .hasMessageContaining(file.toString()))
                .verify();
    }

    @Test
    void bodyIsReadInChunksOnDemand() throws IOException {
        write(root, "three-chunks", new byte[FileBody.CHUNK_SIZE * 2 + 1]);
        LazyBody body = single(source(root)).body().orElseThrow();

        StepVerifier.create(body.content(), 0)
                .thenRequest(1)
                .assertNext(chunk -> assertThat(chunk.remaining()).isEqualTo(FileBody.CHUNK_SIZE))
                .thenRequest(1)
                .assertNext(chunk -> assertThat(chunk.remaining()).isEqualTo(FileBody.CHUNK_SIZE))
                .thenCancel()
                .verify();
        StepVerifier.create(body.content().map(ByteBuffer::remaining)).expectNext(FileBody.CHUNK_SIZE,
                FileBody.CHUNK_SIZE, 1).verifyComplete();
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static SourceDocument single(DirectoryDataSource source) {
        List<SourceDocument> docs = readBuilt(source);
        assertThat(docs).hasSize(1);
        return docs.get(0);
    }

    private static Map<String, SourceDocument> byId(List<SourceDocument> docs) {
        return docs.stream().collect(Collectors.toMap(SourceDocument::id, Function.identity()));
    }

    private static byte[] bytes(LazyBody body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StepVerifier.create(body.content().doOnNext(chunk -> {
            byte[] copy = new byte[chunk.remaining()];
            chunk.get(copy);
            out.writeBytes(copy);
        })).thenConsumeWhile(c -> true).verifyComplete();
        return out.toByteArray();
    }
}
