package io.connectors.runtime.daemon;

import io.connectors.runtime.SourceRegistry;
import io.connectors.spi.BaseDataSource;
import io.connectors.spi.ChangeEvent;
import io.connectors.spi.ChangeWatchingSource;
import io.connectors.spi.CursorExpiredException;
import io.connectors.spi.DataSourceProvider;
import io.connectors.spi.IncrementalSource;
import io.connectors.spi.RealtimeSource;
import io.connectors.spi.SourceContext;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SyncCursor;
import io.connectors.spi.config.ConfigField;
import io.connectors.spi.config.SourceConfig;
import io.connectors.spi.rules.SyncRules;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Source type {@code scripted} for daemon tests: {@code docs} documents, each after {@code delay_ms}
 * milliseconds; {@code changed} is what {@link BaseDataSource#changed()} answers. Counts open sources, so a test
 * can check that every source a job opened was closed.
 *
 * <p>Options: {@code incremental} replays {@link #CHANGES} from a cursor (a position in it); {@code realtime} also
 * follows it ({@link RealtimeSource}: new entries are picked up every 50 ms, a checkpoint after each batch);
 * {@code watch} makes the source a {@link ChangeWatchingSource} scripted through {@link #watch(String)}.
 */
final class ScriptedSources {
    static final AtomicInteger OPEN = new AtomicInteger();
    static final AtomicInteger CREATED = new AtomicInteger();
    /** The change log incremental scripted sources replay: a cursor is a position in it. */
    static final List<ChangeEvent> CHANGES = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Cursors before this position are refused as expired (also by running followers, at their next poll). */
    static final AtomicInteger EXPIRED_BEFORE = new AtomicInteger();
    /** How often followers look for new entries in {@link #CHANGES}. */
    static final Duration FOLLOW_POLL = Duration.ofMillis(50);
    private static final Map<String, WatchScript> WATCHES = new ConcurrentHashMap<>();

    /** The watch of connector {@code connectorId}'s watching sources, for a test to script. */
    static WatchScript watch(String connectorId) {
        return WATCHES.computeIfAbsent(connectorId, id -> new WatchScript());
    }

    /**
     * What the watches of one connector report. Each subscription to {@code watchChanges()} gets a fresh stream that
     * starts with {@code WATCHING} (when {@link #establish} is set); {@link #changed()} and {@link #fail} act on the
     * latest one.
     */
    static final class WatchScript {
        final AtomicInteger subscriptions = new AtomicInteger();
        final AtomicInteger cancellations = new AtomicInteger();
        volatile boolean establish = true;
        private volatile Sinks.Many<ChangeWatchingSource.Signal> current;

        Flux<ChangeWatchingSource.Signal> subscribe() {
            return Flux.defer(() -> {
                Sinks.Many<ChangeWatchingSource.Signal> sink = Sinks.many().unicast().onBackpressureBuffer();
                if (establish) {
                    sink.tryEmitNext(ChangeWatchingSource.Signal.WATCHING);
                }
                current = sink;
                subscriptions.incrementAndGet();
                return sink.asFlux().doOnCancel(cancellations::incrementAndGet);
            });
        }

        void changed() {
            current.emitNext(ChangeWatchingSource.Signal.CHANGED, Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
        }

        void fail(String message) {
            current.emitError(new IllegalStateException(message), Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
        }
    }

    private ScriptedSources() {
    }

    static SourceRegistry registry() {
        return SourceRegistry.of(List.of(provider()));
    }

    static DataSourceProvider provider() {
        return new DataSourceProvider() {
            @Override
            public String type() {
                return "scripted";
            }

            @Override
            public String displayName() {
                return "Scripted";
            }

            @Override
            public List<ConfigField> configFields() {
                return List.of(
                        ConfigField.integer("docs").defaultValue(10L).description("Documents"),
                        ConfigField.integer("delay_ms").defaultValue(0L).description("Delay before each document"),
                        ConfigField.bool("changed").defaultValue(true).description("What changed() answers"),
                        ConfigField.bool("incremental").defaultValue(false).description("Replay CHANGES incrementally"),
                        ConfigField.bool("realtime").defaultValue(false).description("Also follow CHANGES in real time"),
                        ConfigField.bool("watch").defaultValue(false).description("Watch for changes (scripted by the test)"),
                        ConfigField.string("password").asSensitive().description("A secret"),
                        // Parsed to a Duration and a long: what the connector and job records store must be JSON.
                        ConfigField.duration("timeout").defaultValue(java.time.Duration.ofSeconds(5)).description("Unused"),
                        ConfigField.byteSize("max_size").defaultValue(1024L).description("Unused"));
            }

            @Override
            public BaseDataSource create(SourceConfig config, SourceContext context) {
                long docs = config.integer("docs");
                long delay = config.integer("delay_ms");
                boolean changed = config.bool("changed");
                CREATED.incrementAndGet();
                OPEN.incrementAndGet();
                BaseDataSource plain = plain(docs, delay, changed);
                if (config.bool("watch")) {
                    WatchScript script = watch(context.connectorId());
                    return config.bool("realtime") ? new WatchingRealtime(new Incremental(plain), script)
                            : new Watching(plain, script);
                }
                if (config.bool("realtime")) {
                    return new Realtime(new Incremental(plain));
                }
                return config.bool("incremental") ? new Incremental(plain) : plain;
            }
        };
    }

    /** A scripted source that watches for changes. */
    private record Watching(BaseDataSource plain, WatchScript script) implements BaseDataSource, ChangeWatchingSource {
        @Override
        public Mono<Void> ping() {
            return plain.ping();
        }

        @Override
        public Mono<Void> validateConfig() {
            return plain.validateConfig();
        }

        @Override
        public Mono<Boolean> changed() {
            return plain.changed();
        }

        @Override
        public Flux<SourceDocument> getDocs(SyncRules rules) {
            return plain.getDocs(rules);
        }

        @Override
        public Mono<Void> close() {
            return plain.close();
        }

        @Override
        public Flux<Signal> watchChanges() {
            return script.subscribe();
        }
    }

    /**
     * A scripted source that follows {@link #CHANGES} in real time. It maps {@code n} as a long, as a database column
     * would be, so that text in it is refused (not kept unindexed, as the schemaless policy would).
     */
    private static class Realtime implements BaseDataSource, RealtimeSource, io.connectors.spi.MappingContributor {
        private final Incremental incremental;

        Realtime(Incremental incremental) {
            this.incremental = incremental;
        }

        @Override
        public java.util.Map<String, Object> mappingProperties() {
            return java.util.Map.of("n", java.util.Map.of("type", "long"));
        }

        @Override
        public Mono<Void> ping() {
            return incremental.ping();
        }

        @Override
        public Mono<Void> validateConfig() {
            return incremental.validateConfig();
        }

        @Override
        public Flux<SourceDocument> getDocs(SyncRules rules) {
            return incremental.getDocs(rules);
        }

        @Override
        public Mono<Void> close() {
            return incremental.close();
        }

        @Override
        public Flux<ChangeEvent> getDocsIncrementally(SyncCursor cursor, SyncRules rules) {
            return incremental.getDocsIncrementally(cursor, rules);
        }

        @Override
        public Mono<SyncCursor> currentCursor() {
            return incremental.currentCursor();
        }

        @Override
        public Flux<ChangeEvent> followChanges(SyncCursor cursor, SyncRules rules) {
            return follow(cursor);
        }
    }

    /** Both: a real-time source that also watches. */
    private static final class WatchingRealtime extends Realtime implements ChangeWatchingSource {
        private final WatchScript script;

        WatchingRealtime(Incremental incremental, WatchScript script) {
            super(incremental);
            this.script = script;
        }

        @Override
        public Flux<Signal> watchChanges() {
            return script.subscribe();
        }
    }

    /** Follows {@link #CHANGES} from {@code cursor}: the new entries of each poll, then a checkpoint after them. */
    static Flux<ChangeEvent> follow(SyncCursor cursor) {
        return Flux.defer(() -> {
            AtomicInteger pos = new AtomicInteger(((Number) cursor.values().get("pos")).intValue());
            return Flux.interval(Duration.ZERO, FOLLOW_POLL)
                    .onBackpressureDrop()
                    .concatMap(tick -> {
                        int from = pos.get();
                        if (from < EXPIRED_BEFORE.get()) {
                            return Flux.error(new CursorExpiredException("position " + from + " is no longer in the change log"));
                        }
                        List<ChangeEvent> events = List.copyOf(CHANGES);
                        if (events.size() <= from) {
                            return Flux.empty();
                        }
                        pos.set(events.size());
                        return Flux.fromIterable(events.subList(from, events.size()))
                                .concatWith(Flux.just(new ChangeEvent.Checkpoint(new SyncCursor(Map.of("pos", events.size())))));
                    }, 1);
        });
    }

    /** A scripted source that also syncs incrementally from {@link #CHANGES}. */
    private record Incremental(BaseDataSource plain) implements BaseDataSource, IncrementalSource {
        @Override
        public Mono<Void> ping() {
            return plain.ping();
        }

        @Override
        public Mono<Void> validateConfig() {
            return plain.validateConfig();
        }

        @Override
        public Flux<SourceDocument> getDocs(SyncRules rules) {
            return plain.getDocs(rules);
        }

        @Override
        public Mono<Void> close() {
            return plain.close();
        }

        @Override
        public Flux<ChangeEvent> getDocsIncrementally(SyncCursor cursor, SyncRules rules) {
            int from = ((Number) cursor.values().get("pos")).intValue();
            if (from < EXPIRED_BEFORE.get()) {
                return Flux.error(new CursorExpiredException("position " + from + " is no longer in the change log"));
            }
            List<ChangeEvent> events = List.copyOf(CHANGES);
            return Flux.fromIterable(events.subList(Math.min(from, events.size()), events.size()))
                    .concatWith(Flux.just(new ChangeEvent.Checkpoint(new SyncCursor(java.util.Map.of("pos", events.size())))));
        }

        @Override
        public Mono<SyncCursor> currentCursor() {
            // History before EXPIRED_BEFORE is gone: the current position is at least there.
            return Mono.fromCallable(() -> new SyncCursor(java.util.Map.of("pos", Math.max(CHANGES.size(), EXPIRED_BEFORE.get()))));
        }
    }

    private static BaseDataSource plain(long docs, long delay, boolean changed) {
                return new BaseDataSource() {
                    private final AtomicInteger closed = new AtomicInteger();

                    @Override
                    public Mono<Void> ping() {
                        return Mono.empty();
                    }

                    @Override
                    public Mono<Void> validateConfig() {
                        return Mono.empty();
                    }

                    @Override
                    public Mono<Boolean> changed() {
                        return Mono.just(changed);
                    }

                    @Override
                    public Flux<SourceDocument> getDocs(SyncRules rules) {
                        Flux<Long> ids = Flux.range(0, (int) docs).map(Integer::longValue);
                        if (delay > 0) {
                            ids = ids.concatMap(i -> Mono.delay(Duration.ofMillis(delay)).thenReturn(i));
                        }
                        return ids.map(i -> SourceDocument.builder("doc-" + i).field("n", i)
                                .field("kind", i % 2 == 0 ? "even" : "odd").version("v1").build());
                    }

                    @Override
                    public Mono<Void> close() {
                        return Mono.fromRunnable(() -> {
                            if (closed.getAndIncrement() == 0) {
                                OPEN.decrementAndGet();
                            }
                        });
                    }
                };
    }
}
