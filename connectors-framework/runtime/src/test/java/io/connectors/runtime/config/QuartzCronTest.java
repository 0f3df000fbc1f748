package io.connectors.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QuartzCronTest {
    @Test
    void aUnixCronIsGivenItsQuartzForm() {
        assertThat(QuartzCron.fromUnix("*/5 * * * *")).hasValue("0 */5 * * * ?");
        assertThat(QuartzCron.fromUnix("30 2 * * 1-5")).hasValue("0 30 2 ? * 2-6");
        assertThat(QuartzCron.fromUnix("0 0 * * 0")).hasValue("0 0 0 ? * 1");
        assertThat(QuartzCron.fromUnix("0 0 * * 7")).hasValue("0 0 0 ? * 1");
        assertThat(QuartzCron.fromUnix("15 4 1 * *")).hasValue("0 15 4 1 * ?");
        assertThat(QuartzCron.fromUnix("0 9 * * MON,FRI")).hasValue("0 0 9 ? * MON,FRI");
        assertThat(QuartzCron.fromUnix("0 0 1 * 1")).as("both days set: Quartz cannot say either").isEmpty();
        assertThat(QuartzCron.fromUnix("0 0 0 * * ?")).as("six fields: not a Unix cron").isEmpty();
    }

    @Test
    void everySuggestionIsAValidQuartzExpression() {
        for (String unix : List.of("*/5 * * * *", "30 2 * * 1-5", "0 0 * * 0", "15 4 1 * *", "0 9 * * MON,FRI", "0 */2 * * 6,0")) {
            String quartz = QuartzCron.fromUnix(unix).orElseThrow();
            ConfigLoader.fromMap(Map.of("connectors", List.of(Map.of("id", "d", "type", "directory", "index", "d",
                    "schedule", Map.of("full", quartz), "configuration", Map.of("path", "/tmp")))), "test", Map.of(),
                    io.connectors.runtime.SourceRegistry.load());
        }
    }

    @Test
    void theErrorOnAUnixCronSuggestsTheQuartzForm() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConfigLoader.fromMap(Map.of("connectors", List.of(Map.of(
                        "id", "d", "type", "directory", "index", "d", "schedule", Map.of("full", "*/5 * * * *"),
                        "configuration", Map.of("path", "/tmp")))), "test", Map.of(), io.connectors.runtime.SourceRegistry.load()))
                .hasMessageContaining("connectors[0] (d).schedule.full: invalid cron expression \"*/5 * * * *\"")
                .hasMessageContaining("in Quartz syntax it is \"0 */5 * * * ?\"");
    }

    @Test
    void misspelledConnectorKeysAndSourceFieldsGetADidYouMean() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConfigLoader.fromMap(Map.of("connectors", List.of(Map.of(
                        "id", "d", "type", "directory", "idnex", "d", "configuration", Map.of("paht", "/tmp")))), "test",
                        Map.of(), io.connectors.runtime.SourceRegistry.load()))
                .hasMessageContaining("idnex: unknown key; did you mean 'index'?")
                .hasMessageContaining("paht: unknown field; did you mean 'path'?");
    }
}
