package io.connectors.runtime.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.runtime.SourceRegistry;
import io.connectors.runtime.config.ConfigLoader;
import io.connectors.runtime.config.ConnectorsConfig;
import io.connectors.runtime.es.ElasticsearchHandle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A directory of 12,000 files against a real Elasticsearch: full sync, changes, deletions, and a no-change sync. */
class DirectorySyncIT {
    private static final int FILES = 12_000;
    private static ElasticsearchHandle es;

    @TempDir
    Path tmp;

    @BeforeAll
    static void connect() {
        es = TestClients.connect();
    }

    @AfterAll
    static void close() {
        es.close();
    }

    private ConnectorsConfig config(Path root, String index) {
        return config(root, index, null);
    }

    private ConnectorsConfig config(Path root, String index, String pipeline) {
        Map<String, Object> yaml = new LinkedHashMap<>();
        yaml.put("elasticsearch", TestClients.section());
        yaml.put("sync", Map.of("workers", 3, "temp_dir", tmp.resolve("spill").toString()));
        Map<String, Object> connector = new LinkedHashMap<>(Map.of(
                "id", "files", "type", "directory", "index", index,
                "configuration", Map.of("path", root.toString())));
        if (pipeline != null) {
            connector.put("pipeline", pipeline);
        }
        yaml.put("connectors", List.of(connector));
        return ConfigLoader.fromMap(yaml, "test", Map.of(), SourceRegistry.load());
    }

    private SyncReport sync(ConnectorsConfig c) {
        SyncReport report = run(c);
        assertThat(report.error()).isNull();
        assertThat(report.status()).isEqualTo(SyncReport.Status.COMPLETED);
        return report;
    }

    private SyncReport run(ConnectorsConfig c) {
        SyncRunner runner = new SyncRunner(es.async(), c.bulk(), c.sync());
        SyncReport report = runner.fullSync(c.connectors().get(0), new SyncStats(), s -> { }).block(Duration.ofMinutes(5));
        assertThat(report).isNotNull();
        return report;
    }

    private static Map<String, String> directory(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                out.put(root.relativize(p).toString().replace('\\', '/'), Files.readString(p));
            }
        }
        return out;
    }

    @Test
    void fullSyncChangesAndDeletionsKeepTheIndexEqualToTheDirectory() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("data"));
        for (int i = 0; i < FILES; i++) {
            Path file = root.resolve("d" + (i % 120)).resolve("file-" + i + ".txt");
            Files.createDirectories(file.getParent());
            Files.writeString(file, "content of file " + i + "\n");
        }
        ConnectorsConfig config = config(root, "it-directory");

        SyncReport first = sync(config);
        assertThat(first.counts()).containsEntry("indexed", (long) FILES).containsEntry("unchanged", 0L)
                .containsEntry("deleted", 0L).containsEntry("failed", 0L);
        assertThat(IndexContents.read(es.async(), "it-directory", "content")).isEqualTo(directory(root));

        List<Path> all;
        try (Stream<Path> files = Files.walk(root)) {
            all = new ArrayList<>(files.filter(Files::isRegularFile).sorted().toList());
        }
        for (int i = 0; i < 100; i++) {
            Path changed = all.get(i * 3);
            Files.writeString(changed, "changed content " + i + "\n");
            // Coarse file-system clocks could keep the old mtime; a later one is what a real edit gives.
            Files.setLastModifiedTime(changed, FileTime.fromMillis(Files.getLastModifiedTime(changed).toMillis() + 10_000));
            Files.delete(all.get(i * 3 + 1));
            Path added = root.resolve("new").resolve("added-" + i + ".txt");
            Files.createDirectories(added.getParent());
            Files.writeString(added, "added " + i + "\n");
        }

        SyncReport second = sync(config);
        assertThat(second.counts())
                .containsEntry("updated", 100L)
                .containsEntry("deleted", 100L)
                .containsEntry("indexed", 100L)
                .containsEntry("unchanged", (long) FILES - 200)
                .containsEntry("failed", 0L);
        assertThat(IndexContents.read(es.async(), "it-directory", "content")).isEqualTo(directory(root));

        SyncReport third = sync(config);
        assertThat(third.counts())
                .containsEntry("indexed", 0L)
                .containsEntry("updated", 0L)
                .containsEntry("deleted", 0L)
                .containsEntry("bytes", 0L)
                .containsEntry("unchanged", (long) FILES);
    }

    @Test
    void documentsNotWrittenByTheConnectorAreRemoved() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("small"));
        Files.writeString(root.resolve("a.txt"), "a");
        ConnectorsConfig config = config(root, "it-foreign");
        sync(config);
        es.async().index(i -> i.index("it-foreign").id("stray").document(Map.of("x", 1))).get();
        SyncReport report = sync(config);
        assertThat(report.counts()).containsEntry("deleted", 1L).containsEntry("unchanged", 1L);
        assertThat(IndexContents.read(es.async(), "it-foreign", "content")).containsOnlyKeys("a.txt");
    }

    @Test
    void theConfiguredPipelineIsPassedOnEveryBulkRequest() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("piped"));
        for (int i = 0; i < 5; i++) {
            Files.writeString(root.resolve("p" + i + ".txt"), "p" + i);
        }
        SyncReport missing = run(config(root, "it-pipeline-missing", "no-such-pipeline"));
        assertThat(missing.counts()).containsEntry("failed", 5L).containsEntry("indexed", 0L);

        es.async().ingest().putPipeline(p -> p.id("it-noop").withJson(new java.io.StringReader("{\"processors\": []}"))).get();
        SyncReport piped = sync(config(root, "it-pipeline", "it-noop"));
        assertThat(piped.counts()).containsEntry("indexed", 5L).containsEntry("failed", 0L);
    }

    @Test
    void aMissingRootFailsTheSyncWithoutDeletingAnything() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("vanishing"));
        Files.writeString(root.resolve("keep.txt"), "keep");
        ConnectorsConfig config = config(root, "it-vanishing");
        sync(config);
        Files.delete(root.resolve("keep.txt"));
        Files.delete(root);
        SyncReport report = run(config);
        assertThat(report.status()).isEqualTo(SyncReport.Status.ERROR);
        assertThat(report.error()).contains(root.toString());
        assertThat(IndexContents.read(es.async(), "it-vanishing", "content")).containsOnlyKeys("keep.txt");
    }
}
