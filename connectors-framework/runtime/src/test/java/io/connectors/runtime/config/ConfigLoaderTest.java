package io.connectors.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connectors.runtime.ScriptedSources;
import io.connectors.runtime.SourceRegistry;
import io.connectors.spi.config.ConfigField;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    /** Source type {@code test}: {@code path} (required), {@code password} (sensitive), {@code batch} (at least 1). */
    private static final SourceRegistry REGISTRY = SourceRegistry.of(List.of(ScriptedSources.provider("test", "Test",
            List.of(ConfigField.string("path").asRequired().description("Where"),
                    ConfigField.string("password").asSensitive().description("Secret"),
                    ConfigField.integer("batch").defaultValue(10L).validate(ConfigField.atLeast(1)).description("Batch")))));
    @TempDir
    Path dir;

    private static final String CONNECTOR = """
            connectors:
              - id: docs
                type: test
                configuration:
                  path: /data
            """;

    private Path write(String yaml) throws IOException {
        Path file = dir.resolve("config.yml");
        Files.writeString(file, yaml);
        return file;
    }

    private ConnectorsConfig load(String yaml, Map<String, String> env) throws IOException {
        return ConfigLoader.load(write(yaml), env, REGISTRY);
    }

    private String error(String yaml) {
        return error(yaml, Map.of());
    }

    private String error(String yaml, Map<String, String> env) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> load(yaml, env));
        assertThat(t).isInstanceOf(ConfigException.class);
        return t.getMessage();
    }

    @Test
    void extractContentTakesItsDefaultFromTheSourceTypeAndItsLimitsFromTheExtractionSettings() throws IOException {
        // The test source is a source of records: no extraction unless asked for.
        assertThat(load(CONNECTOR, Map.of()).connectors().get(0).extractsContent()).isFalse();
        String extracting = CONNECTOR.replace("    type: test\n", "    type: test\n    extract_content: true\n");
        ConnectorsConfig c = load(extracting + "extraction:\n  max_characters: 5000\n  timeout: 10s\n  workers: 3\n",
                Map.of());
        ConnectorConfig docs = c.connectors().get(0);
        assertThat(docs.extractsContent()).isTrue();
        assertThat(docs.context().extractContent()).isTrue();
        assertThat(docs.extraction()).hasValue(c.extraction());
        assertThat(c.extraction().maxCharacters()).isEqualTo(5000);
        assertThat(c.extraction().timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.extraction().workers()).isEqualTo(3);
        assertThat(c.extraction().maxInputBytes()).isEqualTo(50L << 20);
        // What shapes the text is in the fingerprint, so a change extracts again; the pool's size is not.
        String fingerprint = io.connectors.runtime.sync.SyncRunner.fingerprint(docs);
        assertThat(io.connectors.runtime.sync.SyncRunner.fingerprint(load(extracting
                + "extraction:\n  max_characters: 6000\n", Map.of()).connectors().get(0))).isNotEqualTo(fingerprint);
        assertThat(io.connectors.runtime.sync.SyncRunner.fingerprint(load(extracting
                + "extraction:\n  max_characters: 5000\n  workers: 1\n", Map.of()).connectors().get(0))).isEqualTo(fingerprint);
        assertThat(error(CONNECTOR.replace("    type: test\n", "    type: test\n    extract_content: often\n")))
                .contains("connectors[0] (docs).extract_content: expected true or false, got 'often'");
        assertThat(error(extracting + "extraction:\n  worker_heap: 1mb\n")).contains("extraction.worker_heap");
    }

    @Test
    void defaultsApplyAndTypedValuesAreBound() throws IOException {
        ConnectorsConfig c = load(CONNECTOR, Map.of());
        assertThat(c.elasticsearch().embeddedRequested()).isTrue();
        assertThat(c.bulk().maxActions()).isEqualTo(1000);
        assertThat(c.bulk().maxBytes()).isEqualTo(5L << 20);
        assertThat(c.elasticsearch().client().maxLifeTime()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.sync().maxConcurrentSyncs()).isEqualTo(2);
        ConnectorConfig docs = c.connector("docs").orElseThrow();
        assertThat(docs.index()).isEqualTo("docs");
        assertThat(docs.source().string("path")).isEqualTo("/data");
        assertThat(docs.source().integer("batch")).isEqualTo(10L);
    }

    @Test
    void missingKeyIsNamedWithTheFile() {
        String message = error("""
                connectors:
                  - id: docs
                    configuration:
                      path: /data
                """);
        assertThat(message)
                .contains(dir.resolve("config.yml").toString())
                .contains("connectors[0] (docs).type: is required; known source types are [test]");
    }

    @Test
    void missingRequiredSourceFieldIsNamed() {
        assertThat(error("""
                connectors:
                  - id: docs
                    type: test
                    configuration: {}
                """)).contains("connectors[0] (docs).configuration.path: is required");
    }

    @Test
    void wrongTypeNamesKeyExpectationAndValue() {
        assertThat(error(CONNECTOR + "bulk:\n  max_actions: lots\n"))
                .contains("bulk.max_actions: expected a whole number, got 'lots'");
        assertThat(error(CONNECTOR + "bulk:\n  max_backoff: soon\n"))
                .contains("bulk.max_backoff: expected a duration such as 500ms, 30s, 5m, 2h or 1d, got 'soon'");
        assertThat(error(CONNECTOR + "elasticsearch:\n  pool: 5\n"))
                .contains("elasticsearch.pool: expected a mapping, got the number '5'");
        assertThat(error("""
                connectors:
                  - id: docs
                    type: test
                    configuration:
                      path: /data
                      batch: many
                """)).contains("connectors[0] (docs).configuration.batch: expected a whole number, got 'many'");
    }

    @Test
    void unknownSourceTypeListsKnownTypes() {
        assertThat(error("""
                connectors:
                  - id: docs
                    type: nope
                """)).contains("connectors[0] (docs).type: unknown source type 'nope'; known source types are [test]");
    }

    @Test
    void unknownKeysAreRefusedWithASuggestion() {
        assertThat(error(CONNECTOR + "elasticsearch:\n  hots: http://x:9200\n"))
                .contains("elasticsearch.hots: unknown key; did you mean 'elasticsearch.host'?");
        // A wrong leaf is not "corrected" to the group holding it, nor to a key of another group.
        assertThat(error(CONNECTOR + "elasticsearch:\n  bogus: 1\n"))
                .contains("elasticsearch.bogus: unknown key").doesNotContain("did you mean");
        assertThat(error(CONNECTOR + "bulk:\n  max_retires: 3\n"))
                .contains("bulk.max_retires: unknown key; did you mean 'bulk.max_retries'?");
        assertThat(error("""
                connectors:
                  - id: docs
                    type: test
                    indx: foo
                    configuration:
                      path: /data
                """)).contains("connectors[0] (docs).indx: unknown key; did you mean 'index'?; a connector has [configuration, extract_content, id, index, pipeline,"
                + " realtime, refresh_interval, schedule, sync_rules, type]");
        assertThat(error("""
                connectors:
                  - id: docs
                    type: test
                    configuration:
                      path: /data
                      colour: blue
                """)).contains("connectors[0] (docs).configuration.colour: unknown field");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        String message = error("""
                bulk:
                  max_actions: 0
                  max_retries: -1
                connectors:
                  - id: docs
                    type: test
                    index: Bad Index
                    schedule:
                      full: "every day"
                      weekly: "0 0 0 ? * MON"
                    configuration: {}
                  - id: docs
                    type: test
                    configuration:
                      path: /x
                """);
        assertThat(message)
                .contains("bulk.max_actions: must be at least 1, got 0")
                .contains("bulk.max_retries: must be at least 0, got -1")
                .contains("connectors[0] (docs).index: 'Bad Index' must be lower case")
                .contains("connectors[0] (docs).schedule.full: invalid cron expression \"every day\"")
                .contains("connectors[0] (docs).schedule.weekly: unknown job type")
                .contains("connectors[0] (docs).configuration.path: is required")
                .contains("connectors[1] (docs).id: another connector already uses this id");
    }

    @Test
    void boundsAndCrossChecksComeFromTheDeclarations() {
        assertThat(error(CONNECTOR + """
                elasticsearch:
                  pool: {max_connections: 0, max_idle_time: 0s}
                  timeouts: {request: -1s}
                  embedded: {heap: lots}
                bulk:
                  flush_interval: 0ms
                  error_breaker: {window: 0, max_error_rate: 1.5}
                daemon:
                  heartbeat_interval: 20s
                  http: {port: 70000}
                state: {index_prefix: Bad, job_retention: -1d}
                """))
                .contains("elasticsearch.pool.max_connections: must be at least 1, got 0")
                .contains("elasticsearch.pool.max_idle_time: must be positive, got 0s")
                .contains("elasticsearch.timeouts.request: expected a duration")
                .contains("elasticsearch.embedded.heap: expected a JVM heap size such as 512m or 1g, got 'lots'")
                .contains("bulk.flush_interval: must be positive, got 0s")
                .contains("bulk.error_breaker.window: must be at least 1, got 0")
                .contains("bulk.error_breaker.max_error_rate: must be a fraction in (0, 1], got 1.5")
                .contains("daemon.http.port: must be between 0 and 65535, got 70000")
                .contains("state.index_prefix: 'Bad' must be lower case")
                .contains("state.job_retention: expected a duration such as 500ms");
        assertThat(error(CONNECTOR + "daemon:\n  heartbeat_interval: 20s\n"))
                .contains("daemon.heartbeat_timeout: must be at least three heartbeat intervals (1m), got 30s");
    }

    @Test
    void oneSizeAndDurationSyntaxWithSourcesAndDottedKeys() throws IOException {
        for (String size : List.of("2MiB", "2mb", "2m", "2048kb", "2097152")) {
            assertThat(load(CONNECTOR + "bulk:\n  max_bytes: " + size + "\n", Map.of()).bulk().maxBytes()).as(size)
                    .isEqualTo(2L << 20);
        }
        ConnectorsConfig c = load(CONNECTOR + "bulk.flush_interval: 2 seconds\ndaemon.http.enabled: false\n", Map.of());
        assertThat(c.bulk().flushInterval()).isEqualTo(java.time.Duration.ofSeconds(2));
        assertThat(c.daemon().http().enabled()).isFalse();
        assertThat(error(CONNECTOR + "bulk:\n  error_breaker:\n    windw: 5\n"))
                .contains("bulk.error_breaker.windw: unknown key; did you mean 'bulk.error_breaker.window'?");
        assertThat(error(CONNECTOR + "connectors_extra: 1\n")).contains("connectors_extra: unknown key");
        assertThat(error(CONNECTOR + "bulk:\n  max_actions: 5\nbulk.max_actions: 6\n"))
                .contains("bulk.max_actions: given twice (once nested, once as a dotted key); keep one");
    }

    @Test
    void environmentOverridesKeys() throws IOException {
        ConnectorsConfig c = load(CONNECTOR, Map.of(
                "CONNECTORS_ELASTICSEARCH_HOST", "http://es1:9200, http://es2:9200",
                "CONNECTORS_BULK_MAX_ACTIONS", "50",
                "CONNECTORS_ELASTICSEARCH_POOL_MAX_LIFE_TIME", "90s",
                "CONNECTORS_CONFIG", "ignored.yml"));
        assertThat(c.elasticsearch().hosts()).containsExactly(URI.create("http://es1:9200"), URI.create("http://es2:9200"));
        assertThat(c.bulk().maxActions()).isEqualTo(50);
        assertThat(c.elasticsearch().client().maxLifeTime()).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void badEnvironmentOverrideIsNamed() {
        assertThat(error(CONNECTOR, Map.of("CONNECTORS_BULK_MAX_ACTIONS", "lots")))
                .contains("bulk.max_actions: expected a whole number, got 'lots' (from environment variable CONNECTORS_BULK_MAX_ACTIONS)");
        assertThat(error(CONNECTOR, Map.of("CONNECTORS_ELASTICSEARCH_HOTS", "x")))
                .contains("environment variable CONNECTORS_ELASTICSEARCH_HOTS: does not name a configuration key; did you mean CONNECTORS_ELASTICSEARCH_HOST?");
    }

    @Test
    void environmentReferencesAreSubstituted() throws IOException {
        String yaml = """
                connectors:
                  - id: docs
                    type: test
                    configuration:
                      path: ${DATA_DIR}
                      password: ${SECRET}
                """;
        ConnectorsConfig c = load(yaml, Map.of("DATA_DIR", "/srv/data", "SECRET", "hunter2"));
        ConnectorConfig docs = c.connector("docs").orElseThrow();
        assertThat(docs.source().string("path")).isEqualTo("/srv/data");
        assertThat(docs.source().string("password")).isEqualTo("hunter2");
        assertThat(docs.toString()).doesNotContain("hunter2").contains("********");
        assertThat(error(yaml, Map.of("DATA_DIR", "/d")))
                .contains("connectors[0].configuration.password: environment variable SECRET is not set");
    }

    @Test
    void secretsNeverAppearInErrors() {
        String message = error(CONNECTOR + "elasticsearch:\n  username: elastic\n  password: [\"s3cr3t-value\"]\n");
        assertThat(message).contains("elasticsearch.password").doesNotContain("s3cr3t-value");
    }

    @Test
    void invalidYamlGivesLineAndColumn() {
        assertThat(error("connectors:\n  - id: docs\n   type: [unclosed\n")).contains("not valid YAML at line");
        assertThat(error("bulk:\n  max_actions: 1\n  max_actions: 2\n" + CONNECTOR)).contains("max_actions");
    }

    @Test
    void missingFileIsNamed() {
        Path missing = dir.resolve("nope.yml");
        assertThatThrownBy(() -> ConfigLoader.load(missing, Map.of(), REGISTRY))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("file not found");
    }

    @Test
    void hostMustBeAnHttpUrlWithoutCredentials() {
        assertThat(error(CONNECTOR + "elasticsearch:\n  host: ftp://x\n")).contains("is not an http(s) URL");
        assertThat(error(CONNECTOR + "elasticsearch:\n  host: http://u:p@x:9200\n"))
                .contains("contains credentials; put them in elasticsearch.username/password or api_key, not in the URL");
    }

    @Test
    void schedulesAreParsed() throws IOException {
        ConnectorsConfig c = load("""
                connectors:
                  - id: docs
                    type: test
                    index: my-docs
                    pipeline: my-pipeline
                    schedule:
                      full: "0 0/5 * * * ?"
                    configuration:
                      path: /data
                """, Map.of());
        ConnectorConfig docs = c.connector("docs").orElseThrow();
        assertThat(docs.schedules()).containsEntry("full", "0 0/5 * * * ?");
        assertThat(docs.pipeline()).contains("my-pipeline");
        assertThat(docs.index()).isEqualTo("my-docs");
        assertThat(c.connectors()).extracting(ConnectorConfig::id).isEqualTo(List.of("docs"));
    }

    @Test
    void realtimeIsAConnectorSwitchOffByDefault() throws IOException {
        ConnectorsConfig c = load("""
                daemon:
                  realtime_restart_delay: 3s
                connectors:
                  - id: live
                    type: test
                    realtime: true
                    configuration:
                      path: /data
                  - id: docs
                    type: test
                    configuration:
                      path: /data
                """, Map.of());
        assertThat(c.connector("live").orElseThrow().realtime()).isTrue();
        assertThat(c.connector("live").orElseThrow().toString()).contains("realtime");
        assertThat(c.connector("docs").orElseThrow().realtime()).isFalse();
        assertThat(c.daemon().realtimeRestartDelay()).isEqualTo(Duration.ofSeconds(3));
        assertThat(load(CONNECTOR, Map.of()).daemon().realtimeRestartDelay()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void theRefreshIntervalIsConfiguredAndEnforcedOrARealtimeIndexGetsAShortOneWhenCreated() throws IOException {
        ConnectorsConfig c = load("""
                connectors:
                  - id: set
                    type: test
                    refresh_interval: 250ms
                    configuration:
                      path: /data
                  - id: live
                    type: test
                    realtime: true
                    configuration:
                      path: /data
                  - id: docs
                    type: test
                    configuration:
                      path: /data
                """, Map.of());
        assertThat(c.connector("set").orElseThrow().indexRefresh()).contains(
                new ConnectorConfig.IndexRefresh(Duration.ofMillis(250), true));
        assertThat(c.connector("set").orElseThrow().indexRefresh().orElseThrow().setting()).isEqualTo("250ms");
        assertThat(c.connector("live").orElseThrow().indexRefresh()).contains(
                new ConnectorConfig.IndexRefresh(ConnectorConfig.REALTIME_REFRESH_INTERVAL, false));
        assertThat(c.connector("docs").orElseThrow().indexRefresh()).isEmpty();

        assertThat(error("""
                connectors:
                  - id: a
                    type: test
                    refresh_interval: soon
                    configuration:
                      path: /data
                  - id: b
                    type: test
                    refresh_interval: 0s
                    configuration:
                      path: /data
                """)).contains("connectors[0] (a).refresh_interval: expected a duration such as 500ms")
                .contains("connectors[1] (b).refresh_interval: must be positive, got 0s");
    }

    @Test
    void realtimeMustBeABooleanAndIsNeverScheduled() {
        String message = error("""
                daemon:
                  realtime_restart_delay: 0s
                connectors:
                  - id: live
                    type: test
                    realtime: sometimes
                    schedule:
                      realtime: "0 0/5 * * * ?"
                    configuration:
                      path: /data
                """);
        assertThat(message)
                .contains("connectors[0] (live).realtime: expected true or false, got 'sometimes'")
                .contains("connectors[0] (live).schedule.realtime: real-time jobs are not scheduled; set 'realtime: true'")
                .contains("daemon.realtime_restart_delay: must be positive, got 0s");
    }

    @Test
    void theNetworkSectionBuildsThePolicyEveryConnectorIsCreatedWith() throws IOException {
        ConnectorsConfig defaults = load(CONNECTOR, Map.of());
        assertThat(defaults.network().restricted()).isFalse();
        assertThat(defaults.connector("docs").orElseThrow().context().network()).isSameAs(defaults.network());

        ConnectorsConfig c = load("""
                network:
                  allowed_hosts: [db.example.com, "*.corp.example", 10.0.0.0/8, "fd00::/8"]
                  denied_hosts: [10.9.0.0/16]
                """ + CONNECTOR, Map.of());
        assertThat(c.network().allowedHosts()).containsExactly("db.example.com", "*.corp.example", "10.0.0.0/8", "fd00::/8");
        assertThat(c.network().deniedHosts()).containsExactly("10.9.0.0/16");
        io.connectors.spi.SourceContext context = c.connector("docs").orElseThrow().context();
        assertThat(context.connectorId()).isEqualTo("docs");
        assertThat(context.network()).isSameAs(c.network());
        assertThatThrownBy(() -> context.network().resolve("host", "10.9.1.1", 5432))
                .hasMessageContaining("network.denied_hosts entry '10.9.0.0/16'");
        assertThatThrownBy(() -> context.network().resolve("host", "127.0.0.1", 5432))
                .hasMessageContaining("not in network.allowed_hosts");
    }

    @Test
    void theNetworkListsComeFromTheEnvironmentAsCommaSeparatedEntries() throws IOException {
        ConnectorsConfig c = load(CONNECTOR, Map.of("CONNECTORS_NETWORK_ALLOWED_HOSTS", "10.0.0.0/8, db.example.com",
                "CONNECTORS_NETWORK_DENIED_HOSTS", ""));
        assertThat(c.network().allowedHosts()).containsExactly("10.0.0.0/8", "db.example.com");
        assertThat(c.network().deniedHosts()).isEmpty();
    }

    @Test
    void invalidNetworkEntriesAreNamedWithTheirKeyAndIndex() {
        String message = error("""
                network:
                  allowed_hosts: [db.example.com, 10.0.0.0/33, "http://db"]
                  denied_hosts: [10.0.0.1/24]
                """ + CONNECTOR);
        assertThat(message)
                .contains("network.allowed_hosts[1]: '10.0.0.0/33' is not a CIDR network: the prefix length must be 0 to 32")
                .contains("network.allowed_hosts[2]: 'http://db' is not a host name")
                .contains("network.denied_hosts[0]: '10.0.0.1/24' has bits set after its /24 prefix; did you mean 10.0.0.0/24?")
                .doesNotContain("allowed_hosts[0]");
        assertThat(error("network:\n  allowed_hosts: 5\n" + CONNECTOR)).contains("network.allowed_hosts: expected a list");
        assertThat(error("network:\n  allowd_hosts: []\n" + CONNECTOR))
                .contains("network.allowd_hosts: unknown key; did you mean 'network.allowed_hosts'?");
    }
}
