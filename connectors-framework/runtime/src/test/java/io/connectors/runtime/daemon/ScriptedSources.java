package io.connectors.runtime.daemon;

import io.connectors.runtime.SourceRegistry;
import io.connectors.spi.BaseDataSource;
import io.connectors.spi.ChangeEvent;
import io.connectors.spi.CursorExpiredException;
import io.connectors.spi.IncrementalSource;
import io.connectors.spi.SyncCursor;
import io.connectors.spi.ConfigField;
import io.connectors.spi.DataSourceProvider;
import io.connectors.spi.SourceConfig;
import io.connectors.spi.SourceContext;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SyncRules;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Source type {@code scripted} for daemon tests: {@code docs} documents, each after {@code delay_ms}
 * milliseconds; {@code changed} is what {@link BaseDataSource#changed()} answers. Counts open sources, so a test
 * can check that every source a job opened was closed.
 */
final class ScriptedSources {
    static final AtomicInteger OPEN = new AtomicInteger();
    static final AtomicInteger CREATED = new AtomicInteger();
    /** The change log incremental scripted sources replay: a cursor is a position in it. */
    static final List<ChangeEvent> CHANGES = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Cursors before this position are refused as expired. */
    static final AtomicInteger EXPIRED_BEFORE = new AtomicInteger();

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
                        ConfigField.string("password").asSensitive().description("A secret"));
            }

            @Override
            public BaseDataSource create(SourceConfig config, SourceContext context) {
                long docs = config.integer("docs");
                long delay = config.integer("delay_ms");
                boolean changed = config.bool("changed");
                CREATED.incrementAndGet();
                OPEN.incrementAndGet();
                BaseDataSource plain = plain(docs, delay, changed);
                return config.bool("incremental") ? new Incremental(plain) : plain;
            }
        };
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
            return Mono.fromCallable(() -> new SyncCursor(java.util.Map.of("pos", CHANGES.size())));
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
