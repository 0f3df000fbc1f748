package io.connectors.runtime.daemon;

import io.connectors.runtime.ScriptedSource;
import io.connectors.runtime.ScriptedSource.Capability;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.config.ConfigField;
import java.time.Duration;
import java.util.Map;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Source type {@code scripted} of the daemon's tests, set up per connector: {@code docs} documents, each after
 * {@code delay_ms} milliseconds; {@code changed} is what {@code changed()} answers. {@code incremental} replays the
 * script's change log from a cursor; {@code realtime} also follows it, and maps {@code n} as a long, as a database
 * column would be, so that text in it is refused (not kept unindexed, as the schemaless policy would); {@code watch}
 * makes the source watch for changes, scripted through {@code SCRIPTED.watch(connectorId)}.
 */
final class DaemonScript {
    static final ScriptedSource.Script SCRIPTED = ScriptedSource.type("scripted").displayName("Scripted")
            .fields(
                    ConfigField.integer("docs").defaultValue(10L).description("Documents"),
                    ConfigField.integer("delay_ms").defaultValue(0L).description("Delay before each document"),
                    ConfigField.bool("changed").defaultValue(true).description("What changed() answers"),
                    ConfigField.bool("incremental").defaultValue(false).description("Replay the change log incrementally"),
                    ConfigField.bool("realtime").defaultValue(false).description("Also follow the change log in real time"),
                    ConfigField.bool("watch").defaultValue(false).description("Watch for changes (scripted by the test)"),
                    ConfigField.string("password").asSensitive().description("A secret"),
                    // Parsed to a Duration and a long: what the connector and job records store must be JSON.
                    ConfigField.duration("timeout").defaultValue(Duration.ofSeconds(5)).description("Unused"),
                    ConfigField.byteSize("max_size").defaultValue(1024L).description("Unused"))
            .documents(config -> numbered(config.integer("docs"), config.integer("delay_ms")))
            .changed(config -> config.bool("changed"))
            .when(Capability.INCREMENTAL, config -> config.bool("incremental") || config.bool("realtime"))
            .when(Capability.REALTIME, config -> config.bool("realtime"))
            .when(Capability.MAPPING, config -> config.bool("realtime"))
            .mapping(Map.of("n", Map.of("type", "long")))
            .when(Capability.WATCHING, config -> config.bool("watch"));

    private DaemonScript() {
    }

    /** {@code doc-0} to {@code doc-<count - 1>}, with fields {@code n} and {@code kind}, each after {@code delayMs}. */
    private static Flux<SourceDocument> numbered(long count, long delayMs) {
        Flux<Long> ids = Flux.range(0, (int) count).map(Integer::longValue);
        if (delayMs > 0) {
            ids = ids.concatMap(i -> Mono.delay(Duration.ofMillis(delayMs)).thenReturn(i));
        }
        return ids.map(i -> SourceDocument.builder("doc-" + i).field("n", i)
                .field("kind", i % 2 == 0 ? "even" : "odd").version("v1").build());
    }
}
