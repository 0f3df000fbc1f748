package io.connectors.runtime;

import io.connectors.spi.BaseDataSource;
import io.connectors.spi.DataSourceProvider;
import io.connectors.spi.SourceContext;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.config.ConfigField;
import io.connectors.spi.config.SourceConfig;
import io.connectors.spi.rules.SyncRules;
import java.util.List;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A scripted in-memory source type for runtime tests. */
public final class TestSources {
    private TestSources() {
    }

    /** Provider of type {@code test}: fields {@code path} (required), {@code password} (sensitive), {@code batch}. */
    public static DataSourceProvider provider(Supplier<Flux<SourceDocument>> docs) {
        return new DataSourceProvider() {
            @Override
            public String type() {
                return "test";
            }

            @Override
            public String displayName() {
                return "Test";
            }

            @Override
            public List<ConfigField> configFields() {
                return List.of(
                        ConfigField.string("path").asRequired().description("Where"),
                        ConfigField.string("password").asSensitive().description("Secret"),
                        ConfigField.integer("batch").defaultValue(10L).validate(ConfigField.atLeast(1)).description("Batch"));
            }

            @Override
            public BaseDataSource create(SourceConfig config, SourceContext context) {
                return new BaseDataSource() {
                    @Override
                    public Mono<Void> ping() {
                        return Mono.empty();
                    }

                    @Override
                    public Mono<Void> validateConfig() {
                        return Mono.empty();
                    }

                    @Override
                    public Flux<SourceDocument> getDocs(SyncRules rules) {
                        return docs.get();
                    }

                    @Override
                    public Mono<Void> close() {
                        return Mono.empty();
                    }
                };
            }
        };
    }

    public static SourceRegistry registry() {
        return SourceRegistry.of(List.of(provider(Flux::empty)));
    }
}
