package io.connectors.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    /** Every command path under the top command: ["run"], ["jobs"], ["jobs", "start"], ... */
    private static List<List<String>> commandPaths(picocli.CommandLine command, List<String> prefix) {
        List<List<String>> paths = new java.util.ArrayList<>();
        command.getSubcommands().forEach((name, sub) -> {
            List<String> path = new java.util.ArrayList<>(prefix);
            path.add(name);
            paths.add(path);
            paths.addAll(commandPaths(sub, path));
        });
        return paths;
    }

    @Test
    void everyCommandAndSubcommandAnswersHelpAndSoDoesTheHelpCommand() {
        picocli.CommandLine root = new picocli.CommandLine(new ConnectorsCommand());
        List<List<String>> paths = commandPaths(root, List.of());
        assertThat(paths).contains(List.of("jobs", "start"), List.of("config", "check"), List.of("pause"));
        for (List<String> path : paths) {
            for (List<String> args : List.of(concat(path, "--help"), concat(path, "-h"), concat(List.of("help"), path.toArray(String[]::new)))) {
                out.getBuffer().setLength(0);
                err.getBuffer().setLength(0);
                assertThat(run(args.toArray(String[]::new))).as("%s: %s", args, err).isZero();
                assertThat(out.toString()).as("%s", args).startsWith("Usage: connectors " + String.join(" ", path));
            }
        }
        out.getBuffer().setLength(0);
        assertThat(run("help")).isZero();
        assertThat(out.toString()).startsWith("Usage: connectors ").contains("help");
        assertThat(run("help", "jobs", "nope")).isEqualTo(2);
        assertThat(err.toString()).contains("no command 'jobs nope'").contains("start");
    }

    private static List<String> concat(List<String> path, String... more) {
        List<String> all = new java.util.ArrayList<>(path);
        all.addAll(List.of(more));
        return all;
    }

    @Test
    void sourcesListsTheDirectorySourceAndItsFields() {
        assertThat(run("sources")).isZero();
        assertThat(out.toString()).contains("directory").contains("path").contains("required");
    }

    @Test
    void configReferencePrintsTheGeneratedReferenceWithoutReadingAConfigurationFile() {
        assertThat(run("-c", dir.resolve("absent.yml").toString(), "config", "reference")).isZero();
        assertThat(err.toString()).isEmpty();
        assertThat(out.toString()).isEqualTo(io.connectors.runtime.config.ConfigReference.markdown(
                        io.connectors.runtime.SourceRegistry.load()))
                .startsWith(io.connectors.runtime.config.ConfigReference.HEADER)
                .contains("| `bulk.max_bytes` | `5mb` | `CONNECTORS_BULK_MAX_BYTES` |")
                .contains("### `directory` (Directory)");
    }

    @Test
    void configCheckOfflineAcceptsAValidFileAndMasksSecrets() throws Exception {
        Path file = dir.resolve("ok.yml");
        TestConfig.docs(dir).unreachable(false).set("elasticsearch.username", "elastic")
                .set("elasticsearch.password", "top-secret").write(file);
        assertThat(run("-c", file.toString(), "config", "check", "--offline")).isZero();
        assertThat(out.toString()).contains("valid, 1 connector(s)").contains("docs").doesNotContain("top-secret")
                .contains("network: sources may reach any host; denied by default: [169.254.0.0/16, fe80::/10");
    }

    @Test
    void configCheckOfflineShowsTheNetworkAllowList() throws Exception {
        Path file = dir.resolve("net.yml");
        TestConfig.docs(dir).set("network.allowed_hosts", List.of("db.example.com", "10.0.0.0/8"))
                .set("network.denied_hosts", List.of("10.9.0.0/16")).write(file);
        assertThat(run("-c", file.toString(), "config", "check", "--offline")).isZero();
        assertThat(out.toString()).contains("network: sources may reach only [db.example.com, 10.0.0.0/8] except [10.9.0.0/16]");
    }

    @Test
    void configCheckPrintsTheSourcesWarningsOfAValidConfiguration() throws Exception {
        Path file = dir.resolve("warn.yml");
        TestConfig.docs(dir).addConnector("warned", "scripted", Map.of("config_warning",
                "table shop.log has no primary key: name its key in key_columns")).write(file);
        run("-c", file.toString(), "config", "check", "--timeout", "20s");
        assertThat(out.toString()).contains("Connector warned: source reachable and configuration valid")
                .contains("Connector warned: warning: table shop.log has no primary key: name its key in key_columns")
                .doesNotContain("Connector docs: warning");
    }

    @Test
    void configCheckReportsBadFilesWithExitCode2() throws Exception {
        Path file = dir.resolve("bad.yml");
        TestConfig.empty().addConnector("docs", "nope", Map.of()).write(file);
        assertThat(run("-c", file.toString(), "config", "check")).isEqualTo(2);
        assertThat(err.toString()).contains("Invalid configuration in " + file)
                .contains("connectors[0] (docs).type: unknown source type 'nope'");
    }

    @Test
    void configCheckFailsWhenElasticsearchIsUnreachable() throws Exception {
        Path file = dir.resolve("down.yml");
        TestConfig.docs(dir).unreachable(true).write(file);
        assertThat(run("-c", file.toString(), "config", "check", "--timeout", "20s")).isEqualTo(1);
        assertThat(out.toString()).contains("Elasticsearch [http://127.0.0.1:9]: FAILED").contains("127.0.0.1:9")
                .contains("Connector docs: source reachable and configuration valid");
    }

    @Test
    void syncOfAnUnknownConnectorNamesTheConfiguredOnes() throws Exception {
        Path file = dir.resolve("one.yml");
        TestConfig.docs(dir).unreachable(false).write(file);
        assertThat(run("-c", file.toString(), "sync", "nope")).isEqualTo(2);
        assertThat(err.toString()).contains("no connector 'nope'").contains("[docs]");
    }

    @Test
    void syncFailsClearlyWhenElasticsearchIsUnreachable() throws Exception {
        Path file = dir.resolve("down.yml");
        TestConfig.docs(dir).unreachable(true).set("elasticsearch.username", "elastic")
                .set("elasticsearch.password", "never-shown").write(file);
        assertThat(run("-c", file.toString(), "sync", "docs")).isEqualTo(1);
        assertThat(err.toString()).contains("Elasticsearch at http://127.0.0.1:9 cannot be used").contains("127.0.0.1:9")
                .doesNotContain("never-shown");
    }

    @Test
    void missingConfigFileIsReported() {
        assertThat(run("-c", dir.resolve("absent.yml").toString(), "config", "check")).isEqualTo(2);
        assertThat(err.toString()).contains("file not found");
    }

    @Test
    void configCheckOfflineReportsInvalidSyncRules() throws Exception {
        Path file = dir.resolve("rules.yml");
        TestConfig.docs(dir).connector("sync_rules", Map.of("basic", List.of(Map.of("field", "path", "policy", "exclude",
                "rule", "regex", "value", "(drafts")))).write(file);
        assertThat(run("-c", file.toString(), "config", "check", "--offline")).isEqualTo(1);
        assertThat(out.toString()).contains("Connector docs: sync rules INVALID").contains("regex");
    }

    @Test
    void configCheckRefusesMalformedSyncRulesWithTheirKey() throws Exception {
        Path file = dir.resolve("rules-bad.yml");
        TestConfig.docs(dir).connector("sync_rules", Map.of("basic", List.of(Map.of("field", "path", "policy", "drop",
                "rule", "equals", "value", "x")))).write(file);
        assertThat(run("-c", file.toString(), "config", "check", "--offline")).isEqualTo(2);
        assertThat(err.toString()).contains("connectors[0] (docs).sync_rules.basic[0].policy");
    }

    @Test
    void jobsCommandsNeedARunningElasticsearch() throws Exception {
        Path file = dir.resolve("jobs.yml");
        TestConfig.empty().unreachable(true).write(file);
        assertThat(run("-c", file.toString(), "jobs", "list")).isEqualTo(1);
        assertThat(err.toString()).contains("Elasticsearch at http://127.0.0.1:9 cannot be used");
    }

    @Test
    void jobsListRefusesAnUnknownStatus() throws Exception {
        Path file = dir.resolve("jobs2.yml");
        TestConfig.empty().write(file);
        assertThat(run("-c", file.toString(), "jobs", "list", "--status", "finished")).isEqualTo(2);
        assertThat(err.toString()).contains("unknown status 'finished'").contains("completed");
    }

    @Test
    void realtimeJobsCannotBeStartedFromTheCommandLine() throws Exception {
        Path file = dir.resolve("rt.yml");
        TestConfig.docs(dir).unreachable(false).write(file);
        assertThat(run("-c", file.toString(), "sync", "docs", "--type", "realtime")).isEqualTo(1);
        assertThat(err.toString()).contains("real-time jobs are run by the daemons").contains("realtime: true");
        assertThat(run("-c", file.toString(), "jobs", "start", "docs", "--type", "realtime")).isEqualTo(1);
        assertThat(err.toString()).contains("[full, incremental, access_control]");
    }

    @Test
    void configCheckRefusesRealtimeForASourceThatCannotFollowChanges() throws Exception {
        Path file = dir.resolve("rt.yml");
        TestConfig.docs(dir).connector("realtime", true).write(file);
        assertThat(run("-c", file.toString(), "config", "check", "--offline")).isEqualTo(2);
        assertThat(err.toString()).contains("connector docs: realtime: true, but source type 'directory' does not support "
                + "real-time mode");
    }
}
