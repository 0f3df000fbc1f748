package io.connectors.functional.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.connectors.functional.controlplane.DaemonProcesses.Daemon;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * What the daemon-process tests of sources share: the configuration sections of a daemon of theirs, waiting for a
 * condition while the daemon runs, the latency from a write to search, the last real-time job, and the queries.
 */
final class DaemonChecks {
    static final Duration WAIT = Duration.ofSeconds(90);

    private DaemonChecks() {
    }

    /** A daemon's sections: worker {@code worker}, state under {@code prefix}, spill files under {@code work}. */
    static Map<String, Object> sections(String worker, String prefix, Path work) {
        return Map.of(
                "daemon", Map.of("worker_id", worker, "sync_on_start", true, "heartbeat_interval", "1s",
                        "realtime_restart_delay", "2s", "http", Map.of("enabled", false)),
                "state", Map.of("index_prefix", prefix),
                "sync", Map.of("temp_dir", work.resolve("spill-" + worker).toString()));
    }

    /** The connector's latest real-time job record. */
    static JsonNode realtimeJob(StateReader state, String connectorId) throws Exception {
        return state.jobsOf(connectorId).stream().filter(j -> "realtime".equals(j.path("job_type").asText()))
                .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no realtime job of " + connectorId));
    }

    static Map<String, Object> all() {
        return Map.of("match_all", Map.of());
    }

    /** Documents whose {@code marker} is exactly {@code value}. */
    static Map<String, Object> marker(String value) {
        // The keyword sub-field: a match on the text field would find "init-1" in every "init-..." document.
        return Map.of("term", Map.of("marker.keyword", value));
    }

    /** Milliseconds from the end of {@code write} until {@code visible} holds (polled every 20 ms). */
    static long latency(Runnable write, Callable<Boolean> visible, Daemon daemon) throws Exception {
        write.run();
        long wrote = System.nanoTime();
        await("a change became visible in search", daemon, visible);
        return (System.nanoTime() - wrote) / 1_000_000;
    }

    /** Waits up to {@link #WAIT} for {@code condition}, failing at once with the daemon's log if the daemon ended. */
    static void await(String what, Daemon daemon, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.call()) {
            assertThat(daemon.isAlive()).as("the daemon is running; its log ends with:%n%s",
                    daemon.isAlive() ? "" : daemon.tail(60)).isTrue();
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + WAIT + ": " + what + "; the daemon's log ends with:\n"
                        + daemon.tail(60));
            }
            Thread.sleep(20);
        }
    }
}
