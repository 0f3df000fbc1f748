package io.connectors.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.connectors.elasticsearch.local.ElasticsearchEndpoint;
import io.connectors.runtime.SourceRegistry;
import io.connectors.runtime.config.ConfigLoader;
import io.connectors.runtime.config.ConnectorsConfig;
import io.connectors.runtime.daemon.Daemon;
import io.connectors.runtime.es.ElasticsearchClients;
import io.connectors.runtime.es.ElasticsearchHandle;
import io.connectors.runtime.ops.DaemonMetrics;
import io.connectors.runtime.state.StateStore;
import io.connectors.runtime.sync.SyncRunner;
import io.connectors.runtime.sync.TargetIndex;
import io.connectors.testkit.elasticsearch.TestElasticsearch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;

/** {@code connectors jobs start|list|view|cancel} and {@code connectors sync} against a real Elasticsearch and daemon. */
class JobsCommandIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    /** A configuration with one directory connector, {@code notes}, of {@code data} into {@code <prefix>-notes}. */
    private Path config(ElasticsearchEndpoint es, String prefix, Path data) throws java.io.IOException {
        TestConfig config = TestConfig.empty().addConnector("notes", "directory", Map.of("path", data.toString()))
                .connector("index", prefix + "-notes")
                .set("elasticsearch.host", es.uri().toString()).set("state.index_prefix", prefix)
                .set("daemon.sync_on_start", false).set("daemon.http.enabled", false);
        if (es.username() != null) {
            config.set("elasticsearch.username", es.username()).set("elasticsearch.password", es.password());
        }
        return config.write(dir.resolve("config.yml"));
    }

    @Test
    void startListViewCancel() throws Exception {
        ElasticsearchEndpoint es = TestElasticsearch.get();
        Path data = Files.createDirectories(dir.resolve("data"));
        for (int i = 0; i < 500; i++) {
            Files.writeString(data.resolve("f" + i + ".md"), "# note " + i + "\n");
        }
        String prefix = "cli-" + UUID.randomUUID().toString().substring(0, 8);
        Path file = config(es, prefix, data);

        // Without a daemon having created the state, the commands say what to do.
        CliRun none = run("-c", file.toString(), "jobs", "list");
        assertThat(none.exit()).isEqualTo(1);
        assertThat(none.err()).contains("no job state").contains("connectors run");

        // `connectors sync` records its job too.
        CliRun sync = run("-c", file.toString(), "sync", "notes");
        assertThat(sync.exit()).as(sync.err()).isZero();
        assertThat(sync.out()).contains("full sync completed").contains("500 indexed");

        ConnectorsConfig config = ConfigLoader.load(file, Map.of(), SourceRegistry.load());
        ElasticsearchHandle handle = ElasticsearchClients.create(config.elasticsearch().settingsFor(config.elasticsearch().hosts()));
        DaemonMetrics metrics = new DaemonMetrics();
        Daemon daemon = new Daemon(config, new StateStore(handle.async(), prefix),
                new SyncRunner(handle.async(), config.bulk(), config.sync(), metrics.bulkListener()), metrics);
        Disposable running = daemon.run().subscribe();
        String jobId;
        try {
            CliRun started = run("-c", file.toString(), "jobs", "start", "notes", "--wait", "--timeout", "PT2M");
            assertThat(started.exit()).as(started.err()).isZero();
            jobId = started.out().lines().findFirst().orElseThrow();
            assertThat(started.out()).contains(jobId + ": completed").contains("500 unchanged");
        } finally {
            running.dispose();
            handle.close();
        }

        CliRun list = run("-c", file.toString(), "jobs", "list", "--connector", "notes");
        assertThat(list.exit()).isZero();
        assertThat(list.out()).contains(jobId).contains("on_demand").contains("completed");
        assertThat(list.out().lines().count()).as("header, the sync's job and the started one").isEqualTo(3);

        CliRun view = run("-c", file.toString(), "jobs", "view", jobId);
        assertThat(view.exit()).isZero();
        Map<?, ?> job = JSON.readValue(view.out(), Map.class);
        assertThat(job.get("status")).isEqualTo("completed");
        assertThat(((Map<?, ?>) job.get("counts")).get("total_in_index")).isEqualTo(500);
        assertThat(((Map<?, ?>) job.get("connector")).get("index_name")).isEqualTo(prefix + "-notes");

        CliRun again = run("-c", file.toString(), "jobs", "cancel", jobId);
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("already ended as completed");

        // No daemon runs now: a queued job is canceled at once.
        CliRun queued = run("-c", file.toString(), "jobs", "start", "notes");
        String queuedId = queued.out().strip();
        CliRun cancel = run("-c", file.toString(), "jobs", "cancel", queuedId);
        assertThat(cancel.exit()).isZero();
        assertThat(cancel.out()).contains(queuedId + ": canceled");

        CliRun json = run("-c", file.toString(), "jobs", "list", "--json", "--status", "canceled");
        List<?> jobs = JSON.readValue(json.out(), List.class);
        assertThat(jobs).hasSize(1);

        CliRun status = run("-c", file.toString(), "status");
        assertThat(status.exit()).isZero();
        assertThat(status.out()).contains("notes").contains("directory").contains("connected").contains("completed 20")
                .contains("valid");

        CliRun unknown = run("-c", file.toString(), "jobs", "view", "nope");
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).contains("no job 'nope'");
    }

    @Test
    void aSyncWithRefusedDocumentsCompletesWithErrorsAndExits3() throws Exception {
        ElasticsearchEndpoint es = TestElasticsearch.get();
        Path data = Files.createDirectories(dir.resolve("data"));
        // The index maps `name` as a number: files named 1..5 index, a.md and b.md are refused.
        for (int i = 1; i <= 5; i++) {
            Files.writeString(data.resolve(Integer.toString(i)), "note " + i + "\n");
        }
        Files.writeString(data.resolve("a.md"), "# a\n");
        Files.writeString(data.resolve("b.md"), "# b\n");
        String prefix = "cli-" + UUID.randomUUID().toString().substring(0, 8);
        Path file = config(es, prefix, data);
        ConnectorsConfig config = ConfigLoader.load(file, Map.of(), SourceRegistry.load());
        ElasticsearchHandle handle = ElasticsearchClients.create(config.elasticsearch().settingsFor(config.elasticsearch().hosts()));
        try {
            Map<String, Object> properties = new java.util.LinkedHashMap<>(TargetIndex.bookkeepingProperties());
            properties.put("name", Map.of("type", "long"));
            String mappings = JSON.writeValueAsString(Map.of("mappings", Map.of("dynamic", true, "properties", properties)));
            handle.async().indices().create(c -> c.index(prefix + "-notes").withJson(new java.io.StringReader(mappings))).join();

            CliRun sync = run("-c", file.toString(), "sync", "notes");
            assertThat(sync.exit()).as(sync.out() + sync.err()).isEqualTo(3);
            assertThat(sync.out()).contains("full sync completed_with_errors").contains("5 indexed").contains("2 failed")
                    .contains("2 documents were refused by Elasticsearch and are not in the index; see which and why: "
                            + "connectors jobs view notes-full-");
            String syncJob = sync.out().lines().filter(l -> l.contains("connectors jobs view ")).findFirst().orElseThrow()
                    .replaceFirst(".*connectors jobs view ", "");

            Map<?, ?> job = JSON.readValue(run("-c", file.toString(), "jobs", "view", syncJob).out(), Map.class);
            assertThat(job.get("status")).isEqualTo("completed_with_errors");
            assertThat(job.get("error")).isNull();
            assertThat(((Map<?, ?>) job.get("counts")).get("failed")).isEqualTo(2);
            assertThat((List<?>) job.get("failed_documents")).hasSize(2).allSatisfy(d ->
                    assertThat(String.valueOf(((Map<?, ?>) d).get("reason"))).contains("[name]"));

            CliRun list = run("-c", file.toString(), "jobs", "list", "--connector", "notes");
            List<String> lines = list.out().lines().toList();
            assertThat(lines).hasSize(2);
            assertThat(lines.get(1)).contains(" completed_with_errors ");
            assertThat(lines.get(1).indexOf(" 20")).as("the status does not push the columns after it")
                    .isEqualTo(lines.get(0).indexOf(" CREATED"));

            CliRun status = run("-c", file.toString(), "status");
            assertThat(status.exit()).isZero();
            List<String> rows = status.out().lines().toList();
            assertThat(rows.get(1)).contains(" connected ").contains(" completed_with_errors 20");
            assertThat(rows.get(1).indexOf(" -  ")).as("RUNNING JOB stays in its column")
                    .isEqualTo(rows.get(0).indexOf(" RUNNING JOB"));

            // The same through a daemon: `jobs start --wait` exits the same way and the metric counts the job.
            DaemonMetrics metrics = new DaemonMetrics();
            Daemon daemon = new Daemon(config, new StateStore(handle.async(), prefix),
                    new SyncRunner(handle.async(), config.bulk(), config.sync(), metrics.bulkListener()), metrics);
            Disposable running = daemon.run().subscribe();
            try {
                CliRun started = run("-c", file.toString(), "jobs", "start", "notes", "--wait", "--timeout", "PT2M");
                assertThat(started.exit()).as(started.out() + started.err()).isEqualTo(3);
                String jobId = started.out().lines().findFirst().orElseThrow();
                assertThat(started.out()).contains(jobId + ": completed_with_errors").contains("2 failed")
                        .contains("failed documents (first 2 of 2):")
                        .contains("2 documents were refused by Elasticsearch and are not in the index; see which and why: "
                                + "connectors jobs view " + jobId);
                // The daemon counts the job once it released the connector, just after the record `--wait` reads.
                String finished = "connectors_jobs_finished_total{connector=\"notes\",status=\"completed_with_errors\",type=\"full\"} 1.0";
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (!metrics.scrape().contains(finished) && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(metrics.scrape())
                        .contains(finished)
                        .contains("connectors_documents_total{connector=\"notes\",outcome=\"failed\"} 2.0");
            } finally {
                running.dispose();
            }
        } finally {
            handle.close();
        }
    }
}
