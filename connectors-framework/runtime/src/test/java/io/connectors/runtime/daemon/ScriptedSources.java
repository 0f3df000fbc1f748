package io.connectors.runtime.daemon;

import io.connectors.runtime.SourceRegistry;
import io.connectors.spi.BaseDataSource;
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
                        ConfigField.string("password").asSensitive().description("A secret"));
            }

            @Override
            public BaseDataSource create(SourceConfig config, SourceContext context) {
                long docs = config.integer("docs");
                long delay = config.integer("delay_ms");
                boolean changed = config.bool("changed");
                CREATED.incrementAndGet();
                OPEN.incrementAndGet();
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
        };
    }
}
