package io.connectors.runtime;

import io.connectors.spi.AccessControlSource;
import io.connectors.spi.BaseDataSource;
import io.connectors.spi.ChangeEvent;
import io.connectors.spi.ChangeWatchingSource;
import io.connectors.spi.CursorExpiredException;
import io.connectors.spi.DataSourceProvider;
import io.connectors.spi.IncrementalSource;
import io.connectors.spi.MappingContributor;
import io.connectors.spi.RealtimeSource;
import io.connectors.spi.SourceContext;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SyncCursor;
import io.connectors.spi.config.ConfigField;
import io.connectors.spi.config.SourceConfig;
import io.connectors.spi.rules.SyncRules;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The one fake source of the runtime's tests: a source type whose documents are given as data, whose optional
 * capabilities are switched on by the script (for every connector, or for connectors whose configuration asks), and
 * whose failures are injected at a named point. The runtime sees it exactly as it sees a real source: through a
 * {@link DataSourceProvider}, and capabilities detected with {@code instanceof}.
 *
 * <pre>{@code
 * Script acl = ScriptedSource.type("scripted")
 *         .documents(SourceDocument.builder("doc-1").field("title", "one").build())
 *         .accessControl(() -> identities);
 * ConfigLoader.fromMap(yaml, "test", Map.of(), acl.registry());
 * }</pre>
 */
public final class ScriptedSource {

    /** An optional capability, as the SPI's interfaces define them. */
    public enum Capability {
        /** {@link IncrementalSource}: replays the script's {@link ChangeLog} from a cursor (a position in it). */
        INCREMENTAL,
        /** {@link RealtimeSource}, and so also incremental: follows the change log, a checkpoint after each poll. */
        REALTIME,
        /** {@link ChangeWatchingSource}: what it reports is scripted per connector by {@link Script#watch(String)}. */
        WATCHING,
        /** {@link AccessControlSource}: emits the identities given by {@link Script#accessControl}. */
        ACCESS_CONTROL,
        /** {@link MappingContributor}: the mapping given by {@link Script#mapping}. */
        MAPPING
    }

    /** Where a failure can be injected. */
    public enum Point {
        /** {@link DataSourceProvider#create}: throws. */
        CREATE,
        /** {@link BaseDataSource#ping()}. */
        PING,
        /** {@link BaseDataSource#validateConfig()}. */
        VALIDATE,
        /** {@link BaseDataSource#getDocs}: after the scripted documents. */
        GET_DOCS,
        /** {@link AccessControlSource#getAccessControl()}: after the scripted identities. */
        ACCESS_CONTROL
    }

    private ScriptedSource() {
    }

    /** A new script for a source type {@code type}, with no fields, no documents and no capability. */
    public static Script type(String type) {
        return new Script(type);
    }

    /** What the sources of one scripted type do. Configure it before the first source is created. */
    public static final class Script {
        private final String type;
        private String displayName;
        private final List<ConfigField> fields = new ArrayList<>();
        private Function<SourceConfig, Flux<SourceDocument>> documents = config -> Flux.empty();
        private Predicate<SourceConfig> changed = config -> true;
        private final Map<Capability, Predicate<SourceConfig>> capabilities = new EnumMap<>(Capability.class);
        private final Map<Point, Supplier<? extends Throwable>> failures = new EnumMap<>(Point.class);
        private Supplier<? extends Collection<SourceDocument>> identities = List::of;
        private Map<String, Object> mapping = Map.of();
        private final ChangeLog changes = new ChangeLog();
        private final Map<String, WatchScript> watches = new ConcurrentHashMap<>();
        private final AtomicInteger created = new AtomicInteger();
        private final AtomicInteger open = new AtomicInteger();

        private Script(String type) {
            this.type = type;
            this.displayName = type;
        }

        public Script displayName(String name) {
            this.displayName = name;
            return this;
        }

        /** Declares configuration fields of the type. */
        public Script fields(ConfigField... declared) {
            fields.addAll(List.of(declared));
            return this;
        }

        /** Every source emits these documents, on each subscription to {@code getDocs}. */
        public Script documents(SourceDocument... docs) {
            List<SourceDocument> list = List.of(docs);
            return documents(() -> list);
        }

        /** Every source emits what {@code docs} holds when {@code getDocs} is subscribed to: a test may change it between syncs. */
        public Script documents(Supplier<? extends Collection<SourceDocument>> docs) {
            return documents(config -> Flux.defer(() -> Flux.fromIterable(List.copyOf(docs.get()))));
        }

        /** Each source emits what {@code docs} makes of its connector's configuration. */
        public Script documents(Function<SourceConfig, Flux<SourceDocument>> docs) {
            this.documents = docs;
            return this;
        }

        /** What {@link BaseDataSource#changed()} answers, from the connector's configuration; {@code true} by default. */
        public Script changed(Predicate<SourceConfig> answer) {
            this.changed = answer;
            return this;
        }

        /** Every source has {@code capability}. */
        public Script with(Capability capability) {
            return when(capability, config -> true);
        }

        /** A source has {@code capability} when {@code on} holds for its connector's configuration. */
        public Script when(Capability capability, Predicate<SourceConfig> on) {
            capabilities.put(capability, on);
            return this;
        }

        /** Sources are {@link AccessControlSource}s emitting what {@code docs} holds when subscribed to. */
        public Script accessControl(Supplier<? extends Collection<SourceDocument>> docs) {
            this.identities = docs;
            return with(Capability.ACCESS_CONTROL);
        }

        /** The properties a {@link Capability#MAPPING} source contributes. */
        public Script mapping(Map<String, Object> properties) {
            this.mapping = Map.copyOf(properties);
            return this;
        }

        /** Fails at {@code point} with what {@code error} makes, every time. */
        public Script failing(Point point, Supplier<? extends Throwable> error) {
            failures.put(point, error);
            return this;
        }

        /** Fails no more at {@code point}. */
        public Script healed(Point point) {
            failures.remove(point);
            return this;
        }

        /** The change log incremental and real-time sources of this type replay. */
        public ChangeLog changes() {
            return changes;
        }

        /** What the watching sources of connector {@code connectorId} report. */
        public WatchScript watch(String connectorId) {
            return watches.computeIfAbsent(connectorId, id -> new WatchScript());
        }

        /** How many sources were created. */
        public int createdSources() {
            return created.get();
        }

        /** How many sources were created and not closed yet. */
        public int openSources() {
            return open.get();
        }

        public DataSourceProvider provider() {
            return new Provider();
        }

        public SourceRegistry registry() {
            return SourceRegistry.of(List.of(provider()));
        }

        private Mono<Void> failure(Point point) {
            Supplier<? extends Throwable> error = failures.get(point);
            return error == null ? Mono.empty() : Mono.error(error);
        }

        private final class Provider implements DataSourceProvider {
            @Override
            public String type() {
                return type;
            }

            @Override
            public String displayName() {
                return displayName;
            }

            @Override
            public List<ConfigField> configFields() {
                return List.copyOf(fields);
            }

            @Override
            public BaseDataSource create(SourceConfig config, SourceContext context) {
                Supplier<? extends Throwable> error = failures.get(Point.CREATE);
                if (error != null) {
                    Throwable e = error.get();
                    throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
                }
                Set<Class<?>> interfaces = new LinkedHashSet<>(List.of(BaseDataSource.class));
                capabilities.forEach((capability, on) -> {
                    if (on.test(config)) {
                        interfaces.add(switch (capability) {
                            case INCREMENTAL -> IncrementalSource.class;
                            case REALTIME -> RealtimeSource.class;
                            case WATCHING -> ChangeWatchingSource.class;
                            case ACCESS_CONTROL -> AccessControlSource.class;
                            case MAPPING -> MappingContributor.class;
                        });
                    }
                });
                created.incrementAndGet();
                open.incrementAndGet();
                Source source = new Source(config, context);
                // The runtime detects capabilities with instanceof: the proxy implements exactly the ones switched on.
                return (BaseDataSource) Proxy.newProxyInstance(ScriptedSource.class.getClassLoader(),
                        interfaces.toArray(Class<?>[]::new), (proxy, method, args) -> {
                            try {
                                return method.invoke(source, args);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                        });
            }
        }

        /** Every capability; the proxy in front of it shows only those switched on. */
        private final class Source implements RealtimeSource, ChangeWatchingSource, AccessControlSource, MappingContributor,
                BaseDataSource {
            private final SourceConfig config;
            private final SourceContext context;
            private final AtomicInteger closed = new AtomicInteger();

            Source(SourceConfig config, SourceContext context) {
                this.config = config;
                this.context = context;
            }

            @Override
            public Mono<Void> ping() {
                return failure(Point.PING);
            }

            @Override
            public Mono<Void> validateConfig() {
                return failure(Point.VALIDATE);
            }

            @Override
            public Mono<Boolean> changed() {
                return Mono.fromCallable(() -> changed.test(config));
            }

            @Override
            public Flux<SourceDocument> getDocs(SyncRules rules) {
                return documents.apply(config).concatWith(failure(Point.GET_DOCS).then(Mono.empty()));
            }

            @Override
            public Mono<Void> close() {
                return Mono.fromRunnable(() -> {
                    if (closed.getAndIncrement() == 0) {
                        open.decrementAndGet();
                    }
                });
            }

            @Override
            public Flux<ChangeEvent> getDocsIncrementally(SyncCursor cursor, SyncRules rules) {
                return changes.since(cursor);
            }

            @Override
            public Mono<SyncCursor> currentCursor() {
                return changes.current();
            }

            @Override
            public Flux<ChangeEvent> followChanges(SyncCursor cursor, SyncRules rules) {
                return changes.follow(cursor);
            }

            @Override
            public Flux<Signal> watchChanges() {
                return watch(context.connectorId()).subscribe();
            }

            @Override
            public Flux<SourceDocument> getAccessControl() {
                return Flux.defer(() -> Flux.fromIterable(List.copyOf(identities.get())))
                        .concatWith(failure(Point.ACCESS_CONTROL).then(Mono.empty()));
            }

            @Override
            public Map<String, Object> mappingProperties() {
                return mapping;
            }
        }
    }

    /**
     * The change log of a scripted type: a cursor is {@code {pos: n}}, a position in {@link #events()}. Positions
     * before {@link #expiredBefore()} are refused as expired, by incremental syncs and by running followers at their
     * next poll.
     */
    public static final class ChangeLog {
        /** How often followers look for new entries. */
        public static final Duration FOLLOW_POLL = Duration.ofMillis(50);
        private final List<ChangeEvent> events = new CopyOnWriteArrayList<>();
        private final AtomicInteger expiredBefore = new AtomicInteger();

        /** The entries; a test adds, replaces and clears them. */
        public List<ChangeEvent> events() {
            return events;
        }

        /** The first position still in the log. */
        public AtomicInteger expiredBefore() {
            return expiredBefore;
        }

        /** Empties the log and forgets the expiry. */
        public void reset() {
            events.clear();
            expiredBefore.set(0);
        }

        Flux<ChangeEvent> since(SyncCursor cursor) {
            return Flux.defer(() -> {
                int from = position(cursor);
                if (from < expiredBefore.get()) {
                    return Flux.error(expired(from));
                }
                List<ChangeEvent> now = List.copyOf(events);
                return Flux.fromIterable(now.subList(Math.min(from, now.size()), now.size()))
                        .concatWith(Flux.just(checkpoint(now.size())));
            });
        }

        Mono<SyncCursor> current() {
            // History before expiredBefore is gone: the current position is at least there.
            return Mono.fromCallable(() -> new SyncCursor(Map.of("pos", Math.max(events.size(), expiredBefore.get()))));
        }

        /** The new entries of each poll from {@code cursor}, then a checkpoint after them. */
        Flux<ChangeEvent> follow(SyncCursor cursor) {
            return Flux.defer(() -> {
                AtomicInteger pos = new AtomicInteger(position(cursor));
                return Flux.interval(Duration.ZERO, FOLLOW_POLL)
                        .onBackpressureDrop()
                        .concatMap(tick -> {
                            int from = pos.get();
                            if (from < expiredBefore.get()) {
                                return Flux.error(expired(from));
                            }
                            List<ChangeEvent> now = List.copyOf(events);
                            if (now.size() <= from) {
                                return Flux.empty();
                            }
                            pos.set(now.size());
                            return Flux.fromIterable(now.subList(from, now.size())).concatWith(Flux.just(checkpoint(now.size())));
                        }, 1);
            });
        }

        private static int position(SyncCursor cursor) {
            return ((Number) cursor.values().get("pos")).intValue();
        }

        private static ChangeEvent checkpoint(int position) {
            return new ChangeEvent.Checkpoint(new SyncCursor(Map.of("pos", position)));
        }

        private static CursorExpiredException expired(int position) {
            return new CursorExpiredException("position " + position + " is no longer in the change log");
        }
    }

    /**
     * What the watches of one connector report. Each subscription to {@code watchChanges()} gets a fresh stream that
     * starts with {@code WATCHING} (when {@link #establish} is set); {@link #changed()} and {@link #fail} act on the
     * latest one.
     */
    public static final class WatchScript {
        public final AtomicInteger subscriptions = new AtomicInteger();
        public final AtomicInteger cancellations = new AtomicInteger();
        public volatile boolean establish = true;
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

        public void changed() {
            current.emitNext(ChangeWatchingSource.Signal.CHANGED, Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
        }

        public void fail(String message) {
            current.emitError(new IllegalStateException(message), Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
        }
    }
}
