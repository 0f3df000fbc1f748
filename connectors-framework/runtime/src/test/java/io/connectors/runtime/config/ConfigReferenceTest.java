package io.connectors.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.spi.DataSourceProvider;
import io.connectors.spi.config.ConfigField;
import io.connectors.spi.config.FieldType;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigReferenceTest {
    private static DataSourceProvider provider(String type, String name, List<ConfigField> fields) {
        return io.connectors.runtime.ScriptedSources.provider(type, name, fields);
    }

    private static final DataSourceProvider SAMPLE = provider("sample", "Sample source", List.of(
            ConfigField.string("password").asSensitive().defaultValue("hunter2").description("The password.").order(3),
            ConfigField.string("host").asRequired().description("The server.\nIts name or address.").order(1),
            ConfigField.string("token").asSensitive().description("An API token.").order(4),
            ConfigField.duration("idle").defaultValue(Duration.ofSeconds(90)).description("Idle time.").order(5),
            ConfigField.duration("life").defaultValue("30m").description("Life time.").order(5),
            ConfigField.duration("tick").defaultValue(Duration.ofMillis(1500)).description("Tick.").order(5),
            ConfigField.byteSize("max_size").defaultValue("1mb").description("Largest.").order(6),
            ConfigField.byteSize("odd_size").defaultValue(1536L).description("Odd.").order(6),
            ConfigField.list("include").defaultValue(List.of("**", "docs/*.md")).description("Globs.").order(7),
            ConfigField.list("exclude").defaultValue(List.of()).description("Left out.").order(7),
            ConfigField.string("mode").defaultValue("true").description("Mode: `a|b`.").order(8),
            ConfigField.string("prefix").defaultValue("").description("Prefix.").order(8),
            ConfigField.string("city").defaultValue("Z\u00fcrich").description("Where: Z\u00fcrich.").order(8),
            ConfigField.integer("batch_size").defaultValue(500L).description("Batch.").order(9),
            ConfigField.bool("tls").defaultValue(false).description("TLS.").order(9)));

    private static String markdown(DataSourceProvider... providers) {
        return ConfigReference.markdown(List.of(providers));
    }

    /** The table row of {@code key}, from its first cell to the end of the line. */
    private static String row(String markdown, String key) {
        int at = markdown.indexOf("| `" + key + "` |");
        assertThat(at).as("row of %s in%n%s", key, markdown).isNotNegative();
        return markdown.substring(at, markdown.indexOf('\n', at));
    }

    @Test
    void everyRuntimeSettingHasADescriptionAndARow() {
        java.util.Map<String, ConfigField> settings = RuntimeSettings.byKey();
        assertThat(settings).containsKeys("elasticsearch.host", "bulk.error_breaker.window", "daemon.http.port",
                "state.job_retention", "network.denied_hosts");
        assertThat(settings).as("runtime settings without a meaning (their row in docs/CONFIG.md)")
                .allSatisfy((key, field) -> assertThat(field.description()).as(key).isNotBlank());
        String md = markdown();
        settings.forEach((key, field) -> assertThat(row(md, key))
                .contains("`" + SettingsGroup.environmentVariable(key) + "`")
                .contains(" " + ConfigReference.inline(field.description(), true) + " "));
        assertThat(md).contains("## `connectors`\n\nThe connectors: a list of mappings with the keys below.");
        for (ConnectorKey key : ConnectorKey.values()) {
            assertThat(row(md, key.key())).contains(key.required() ? "| yes |" : "| no |");
        }
    }

    @Test
    void everyDefaultPassesItsOwnDeclaration() {
        // Each group binds with nothing given: a default outside its declared bounds fails here, not at a user's start.
        assertThat(SettingValues.defaults()).isNotNull();
        assertThat(BulkSinkSettings.defaults().maxBytes()).isEqualTo(5L << 20);
        assertThat(DaemonSettings.defaults(true).heartbeatTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void sectionsFollowTheFileAndDefaultsAreInConfigurationSyntax() {
        String md = markdown();
        assertThat(md).startsWith(ConfigReference.HEADER + "\n\n# Configuration reference\n");
        List<String> headings = md.lines().filter(l -> l.startsWith("## ")).toList();
        assertThat(headings).containsExactly("## `elasticsearch`", "## `bulk`", "## `sync`", "## `extraction`", "## `daemon`", "## `state`",
                "## `network`", "## `connectors`", "## Sources");
        assertThat(row(md, "bulk.max_bytes")).startsWith("| `bulk.max_bytes` | `5mb` | `CONNECTORS_BULK_MAX_BYTES` |");
        assertThat(row(md, "bulk.initial_backoff")).startsWith("| `bulk.initial_backoff` | `200ms` |");
        assertThat(row(md, "state.job_retention")).startsWith("| `state.job_retention` | `30d` |");
        assertThat(row(md, "bulk.error_breaker.max_error_rate")).startsWith("| `bulk.error_breaker.max_error_rate` | `0.5` |");
        assertThat(row(md, "elasticsearch.host")).startsWith("| `elasticsearch.host` | `\"\"` | `CONNECTORS_ELASTICSEARCH_HOST` |");
        assertThat(row(md, "elasticsearch.embedded.version")).startsWith("| `elasticsearch.embedded.version` | `\"\"` |")
                .contains("the version the build was made with");
        assertThat(row(md, "elasticsearch.embedded.heap")).startsWith("| `elasticsearch.embedded.heap` | `1g` |");
        assertThat(row(md, "elasticsearch.verify_hostname")).startsWith("| `elasticsearch.verify_hostname` | `true` |");
        assertThat(row(md, "daemon.http.host")).startsWith("| `daemon.http.host` | `127.0.0.1` |");
        assertThat(row(md, "network.allowed_hosts"))
                .startsWith("| `network.allowed_hosts` | `[]` | `CONNECTORS_NETWORK_ALLOWED_HOSTS` |");
        // A group with a comment has a row of its own, before its keys.
        assertThat(md.indexOf("| `elasticsearch.embedded` | | | The local Elasticsearch"))
                .isPositive().isLessThan(md.indexOf("| `elasticsearch.embedded.version` |"));
        assertThat(row(md, "index")).isEqualTo("| `index` | no | the id in lower case | The target index; must be a valid"
                + " Elasticsearch index name. |");
        assertThat(row(md, "sync_rules")).contains("`{field, policy: include\\|exclude, rule, value}`");
    }

    @Test
    void sensitiveKeysAreMarkedAndTheirValuesNeverShown() {
        String md = markdown(SAMPLE);
        assertThat(md).doesNotContain("hunter2");
        assertThat(row(md, "password")).isEqualTo("| `password` | string | no | *(not shown)* | yes | The password. |");
        assertThat(row(md, "token")).isEqualTo("| `token` | string | no | | yes | An API token. |");
        assertThat(row(md, "host")).isEqualTo("| `host` | string | yes | | | The server. Its name or address. |");
        assertThat(row(md, "elasticsearch.password")).contains("*Sensitive*: never shown");
        assertThat(row(md, "elasticsearch.api_key")).contains("*Sensitive*: never shown");
        assertThat(row(md, "elasticsearch.username")).doesNotContain("Sensitive");
        assertThat(row(md, "elasticsearch.password")).startsWith("| `elasticsearch.password` | `\"\"` |");
    }

    @Test
    void sourceFieldDefaultsAreInTheSyntaxTheirTypeAccepts() {
        String md = markdown(SAMPLE);
        assertThat(row(md, "idle")).startsWith("| `idle` | duration | no | `90s` |");
        assertThat(row(md, "life")).startsWith("| `life` | duration | no | `30m` |");
        assertThat(row(md, "tick")).startsWith("| `tick` | duration | no | `1500ms` |");
        assertThat(row(md, "max_size")).startsWith("| `max_size` | byte size | no | `1mb` |");
        assertThat(row(md, "odd_size")).startsWith("| `odd_size` | byte size | no | `1536` |");
        assertThat(row(md, "include")).startsWith("| `include` | list | no | `[\"**\", docs/*.md]` |");
        assertThat(row(md, "exclude")).startsWith("| `exclude` | list | no | `[]` |");
        assertThat(row(md, "mode")).isEqualTo("| `mode` | string | no | `\"true\"` | | Mode: `a\\|b`. |");
        assertThat(row(md, "prefix")).startsWith("| `prefix` | string | no | `\"\"` |");
        assertThat(row(md, "batch_size")).startsWith("| `batch_size` | integer | no | `500` |");
        assertThat(row(md, "tls")).startsWith("| `tls` | boolean | no | `false` |");
        // ASCII whatever the platform's encoding: an escape in the value, a character reference in the prose.
        assertThat(row(md, "city")).isEqualTo("| `city` | string | no | `\"Z\\u00fcrich\"` | | Where: Z&#xFC;rich. |");
        assertThat(md.chars().allMatch(c -> c < 0x80)).isTrue();
        // In declared order.
        assertThat(md.indexOf("| `host` |")).isLessThan(md.indexOf("| `password` |"));
        assertThat(md.indexOf("| `idle` |")).isLessThan(md.indexOf("| `life` |")).isLessThan(md.indexOf("| `tick` |"));
    }

    @Test
    void sourcesAreSortedByTypeAndTheOutputIsTheSameEveryTime() {
        DataSourceProvider empty = provider("alpha", "Alpha", List.of());
        String md = markdown(SAMPLE, empty);
        assertThat(md.indexOf("### `alpha` (Alpha)\n\nNo configuration fields.\n"))
                .isPositive().isLessThan(md.indexOf("### `sample` (Sample source)\n\n| Field | Type | Required | Default |"));
        assertThat(markdown(empty, SAMPLE)).isEqualTo(md);
        assertThat(md).doesNotContain(System.getProperty("user.dir")).doesNotContain(System.getProperty("user.home"))
                .doesNotContain(System.getProperty("java.io.tmpdir")).endsWith(" |\n").doesNotContain("\n\n\n");
        assertThat(markdown()).endsWith("## Sources\n\n" + md.substring(md.indexOf("The fields of a connector"),
                md.indexOf("### ")) + "No source types are installed.\n");
    }

    @Test
    void stringsAreQuotedOnlyWhenYamlWouldReadThemOtherwise() {
        assertThat(ConfigReference.scalar("127.0.0.1", false)).isEqualTo("127.0.0.1");
        assertThat(ConfigReference.scalar("connectors-state", false)).isEqualTo("connectors-state");
        assertThat(ConfigReference.scalar("", false)).isEqualTo("\"\"");
        assertThat(ConfigReference.scalar("0.5", false)).isEqualTo("\"0.5\"");
        assertThat(ConfigReference.scalar("null", false)).isEqualTo("\"null\"");
        assertThat(ConfigReference.scalar("a #b", false)).isEqualTo("\"a #b\"");
        assertThat(ConfigReference.scalar("x: y", false)).isEqualTo("\"x: y\"");
        assertThat(ConfigReference.scalar(" padded", false)).isEqualTo("\" padded\"");
        assertThat(ConfigReference.scalar("say \"hi\"\n", false)).isEqualTo("\"say \\\"hi\\\"\\n\"");
        assertThat(ConfigReference.scalar("a,b", false)).isEqualTo("a,b");
        assertThat(ConfigReference.scalar("a,b", true)).isEqualTo("\"a,b\"");
        assertThat(ConfigReference.renderField(FieldType.DURATION, Duration.ofDays(2))).isEqualTo("2d");
        assertThat(ConfigReference.renderField(FieldType.DURATION, Duration.ZERO)).isEqualTo("0s");
        assertThat(ConfigReference.renderField(FieldType.BYTE_SIZE, 3L << 30)).isEqualTo("3gb");
        assertThat(ConfigReference.code("a`b")).isEqualTo("``a`b``");
        assertThat(ConfigReference.code("`x")).isEqualTo("`` `x ``");
    }
}
