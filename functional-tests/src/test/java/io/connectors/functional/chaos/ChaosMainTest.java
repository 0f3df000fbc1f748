package io.connectors.functional.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChaosMainTest {

    private static ChaosScenario scenario(String name) {
        return new ChaosScenario() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String fault() {
                return "fault of " + name + " | with a pipe";
            }

            @Override
            public ChaosResult run(ChaosContext context) {
                throw new UnsupportedOperationException();
            }
        };
    }

    @Test
    void selectionKeepsTheRegistryOrderAndNamesUnknownScenarios() {
        List<ChaosScenario> all = List.of(scenario("a"), scenario("b"), scenario("c"));

        assertThat(ChaosMain.select(all, null)).isEqualTo(all);
        assertThat(ChaosMain.select(all, " ")).isEqualTo(all);
        assertThat(ChaosMain.select(all, "c, a,,")).extracting(ChaosScenario::name).containsExactly("a", "c");
        assertThatThrownBy(() -> ChaosMain.select(all, "a,nope")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[nope]").hasMessageContaining("known: a, b, c");
    }

    @Test
    void theRegistryNamesAreUniqueAndIncludeTheElasticsearchFaults() {
        List<String> names = ChaosMain.scenarios().stream().map(ChaosScenario::name).toList();

        assertThat(names).doesNotHaveDuplicates()
                .contains("elasticsearch-killed", "elasticsearch-overloaded", "daemon-killed");
        assertThat(names).allMatch(n -> n.matches("[a-z0-9]+(-[a-z0-9]+)*"));
    }

    @Test
    void theReportHasOneRowPerScenarioAndFailsWhatFailed() {
        Map<ChaosScenario, ChaosResult> results = new LinkedHashMap<>();
        Map<ChaosScenario, Duration> took = new LinkedHashMap<>();
        ChaosScenario ok = scenario("ok");
        ChaosScenario lossy = scenario("lossy");
        ChaosScenario aborted = scenario("aborted");
        results.put(ok, ChaosResult.builder().outcome("recovered").documentsLost(0).recovery(Duration.ofMillis(12_345))
                .check("index equal", true, "equal: 3 documents").note("a note").build());
        results.put(lossy, ChaosResult.builder().outcome("lost some").documentsLost(2)
                .check("index equal", true, null).build());
        results.put(aborted, ChaosResult.aborted("boom"));
        results.keySet().forEach(s -> took.put(s, Duration.ofSeconds(1)));

        String md = ChaosMain.markdown(results, took);

        assertThat(md).contains("| `ok` | fault of ok \\| with a pipe | recovered | 0 | 12.3 s | passed |")
                .contains("| `lossy` | fault of lossy \\| with a pipe | lost some | 2 | n/a | **FAILED** |")
                .contains("| `aborted` | fault of aborted \\| with a pipe | aborted: boom | n/a | n/a | **FAILED** |")
                .contains("- ok: index equal (equal: 3 documents)")
                .contains("- note: a note")
                .contains("- **FAILED**: the scenario ran to its end (boom)");
        assertThat(results.get(lossy).passed()).isFalse();
    }

    @Test
    void aContextWorkFolderIsEmptiedFirst() throws Exception {
        Path out = java.nio.file.Files.createTempDirectory("chaos-test-");
        try {
            ChaosContext context = new ChaosContext(out, out, "-Xmx1g");
            Path work = context.work("s");
            java.nio.file.Files.writeString(work.resolve("left-over"), "x");

            assertThat(context.work("s")).isEmptyDirectory();
            assertThat(context.daemonJavaOpts()).isEqualTo("-Xmx1g");
        } finally {
            io.connectors.elasticsearch.local.FileTrees.delete(out);
        }
    }
}
