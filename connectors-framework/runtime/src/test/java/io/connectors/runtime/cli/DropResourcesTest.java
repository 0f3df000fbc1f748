package io.connectors.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.runtime.ScriptedSources;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code connectors sources drop-resources} where no job can run: the configuration uses the local Elasticsearch and
 * none runs on its folder, so nothing is contacted but the (scripted) source. The refusal while a job runs needs the
 * state index: {@code SourceResourcesIT}.
 */
class DropResourcesTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final InputStream stdin = System.in;
    /** A connector id of this test alone: what the scripted sources dropped is remembered by id. */
    private final String db = "db-" + UUID.randomUUID().toString().substring(0, 8);

    @AfterEach
    void restoreStandardInput() {
        System.setIn(stdin);
    }

    private int run(String answer, String... args) {
        System.setIn(new ByteArrayInputStream(answer.getBytes(StandardCharsets.UTF_8)));
        return Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    private String config(Map<String, Object> options) throws java.io.IOException {
        return TestConfig.empty().set("elasticsearch.embedded.home", dir.resolve("no-elasticsearch").toString())
                .addConnector(db, "scripted", options)
                .addConnector("notes", "directory", Map.of("path", dir.toString()))
                .write(dir.resolve("config.yml")).toString();
    }

    @Test
    void listsWhatItWillDropAsksAndDropsOnYes() throws Exception {
        String file = config(Map.of("holds_resources", true, "resource_warning", "retains 3 GiB", "password", "hunter2"));

        int exit = run("yes\n", "-c", file, "sources", "drop-resources", db);

        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString()).contains(
                "connector " + db + " holds:",
                "  replication_slot scripted_" + db + ": retained_wal_bytes=1048576 active=false (retains 3 GiB)",
                "  publication scripted_" + db + ": -",
                "Drop them? They cannot be recovered. Type yes to drop: ",
                "dropped replication slot scripted_" + db,
                "dropped publication scripted_" + db);
        assertThat(out.toString() + err).doesNotContain("hunter2");
        assertThat(ScriptedSources.DROPPED).contains(db);

        out.getBuffer().setLength(0);
        assertThat(run("", "-c", file, "sources", "drop-resources", db)).isZero();
        assertThat(out.toString()).isEqualTo("connector " + db + " holds no resources on its backend; nothing to drop"
                + System.lineSeparator());
    }

    @Test
    void anythingButYesOrNoAnswerAtAllDropsNothing() throws Exception {
        String file = config(Map.of("holds_resources", true));

        for (String answer : new String[] {"no\n", "\n", "", "yess\n"}) {
            err.getBuffer().setLength(0);
            assertThat(run(answer, "-c", file, "sources", "drop-resources", db)).as("answer [%s]", answer).isEqualTo(1);
            assertThat(err.toString()).contains("not dropped: not confirmed (answer yes, or pass --yes)");
        }
        assertThat(ScriptedSources.DROPPED).doesNotContain(db);
    }

    @Test
    void withYesItDropsWithoutAsking() throws Exception {
        String file = config(Map.of("holds_resources", true));

        assertThat(run("", "-c", file, "sources", "drop-resources", db, "--yes")).as(err.toString()).isZero();

        assertThat(out.toString()).doesNotContain("Drop them?").contains("dropped publication scripted_" + db);
        assertThat(ScriptedSources.DROPPED).contains(db);
    }

    @Test
    void aFailingDropOrListingIsReportedInTheSourcesWords() throws Exception {
        assertThat(run("", "-c", config(Map.of("holds_resources", true, "fail_at", "drop_resources")),
                "sources", "drop-resources", db, "--yes")).isEqualTo(1);
        assertThat(err.toString()).contains("error: connector " + db + ": dropping its resources failed: scripted failure at "
                + "drop_resources; see what is left: connectors status").doesNotContain("Exception");

        err.getBuffer().setLength(0);
        assertThat(run("", "-c", config(Map.of("holds_resources", true, "fail_at", "resources")),
                "sources", "drop-resources", db, "--yes")).isEqualTo(1);
        assertThat(err.toString()).contains("error: connector " + db + ": its source cannot list its resources: scripted "
                + "failure at resources");
        assertThat(ScriptedSources.DROPPED).doesNotContain(db);
    }

    @Test
    void aSourceThatKeepsNothingHasNothingToDrop() throws Exception {
        assertThat(run("", "-c", config(Map.of()), "sources", "drop-resources", "notes")).isZero();
        assertThat(out.toString()).isEqualTo("connector notes: source type 'directory' keeps nothing on its backend between "
                + "jobs; nothing to drop" + System.lineSeparator());
    }

    @Test
    void anUnknownConnectorIsAUsageErrorListingTheKnownOnesAndTheWayForRemovedOnes() throws Exception {
        assertThat(run("", "-c", config(Map.of("holds_resources", true)), "sources", "drop-resources", "gone", "--yes"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("error: no connector 'gone' in ", "; configured connectors: [" + db + ", notes]",
                "docs/sources/postgresql.md");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void theSourcesCommandStillListsTheSourceTypes() {
        assertThat(run("", "sources")).isZero();
        assertThat(out.toString()).contains("directory (", "scripted (Scripted)", "holds_resources");
    }
}
