package io.connectors.functional.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FaultLogsTest {
    @TempDir
    Path tmp;

    @Test
    void reSendsAreReadFromTheSinksDebugLinesAndCheckedAgainstTheirBound() throws Exception {
        Path log = Files.writeString(tmp.resolve("daemon.log"), String.join("\n",
                "06:33:28.069 DEBUG [parallel-1] i.c.r.sink.BulkSink - Re-sending 250 of 250 operations of batch 5 in 150 ms (retry 1/5): {x=250}",
                "06:33:28.070 DEBUG [parallel-1] i.c.r.sink.BulkSink - Re-sending 10 of 250 operations of batch 6 in 790 ms (retry 3/5): {x=10}",
                "06:33:28.071 DEBUG [parallel-1] i.c.r.sink.BulkSink - Re-sending 10 of 250 operations of batch 7 in 900 ms (retry 3/5): {x=10}",
                "06:33:28.072 WARN  [parallel-1] i.c.r.sink.BulkSink - _bulk request failed: 250 operations (batch 5)",
                "06:33:28.073 ERROR [parallel-2] i.c.r.daemon.Daemon - Connector c: queueing its full sync failed: 429",
                "a stack trace line"));

        ElasticsearchOverloaded.Retries r = ElasticsearchOverloaded.retries(log);
        assertThat(r.resends()).isEqualTo(3);
        assertThat(r.operations()).isEqualTo(270);
        assertThat(r.maxRetry()).isEqualTo(3);
        assertThat(r.outOfBounds()).isEqualTo(1); // 900 ms > 800 ms, the bound of retry 3
        assertThat(ElasticsearchOverloaded.bound(1)).isEqualTo(Duration.ofMillis(200));
        assertThat(ElasticsearchOverloaded.bound(30)).isEqualTo(Duration.ofSeconds(30));

        FaultKit.LogCounts counts = FaultKit.countLog(log);
        assertThat(counts.lines()).isEqualTo(6);
        assertThat(counts.level("DEBUG")).isEqualTo(3);
        assertThat(counts.warnings()).hasSize(2);
        assertThat(counts.warningsMentioning("sink.BulkSink")).isEqualTo(1);
        assertThat(counts.warningsMentioning("QUEUEING", "nothing")).isEqualTo(1);
    }
}
