package io.connectors.runtime;

import io.connectors.spi.AccessControlSource;
import io.connectors.spi.BaseDataSource;
import io.connectors.spi.ChangeEvent;
import io.connectors.spi.ChangeWatchingSource;
import io.connectors.spi.CursorExpiredException;
import io.connectors.spi.DataSourceProvider;
import io.connectors.spi.IncrementalSource;
import io.connectors.spi.RealtimeSource;
import io.connectors.spi.ResourceHoldingSource;
import io.connectors.spi.SourceContext;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SourceException;
import io.connectors.spi.SourceResource;
import io.connectors.spi.SourceSplit;
import io.connectors.spi.SplitEvent;
import io.connectors.spi.SplitPosition;
import io.connectors.spi.SplittableSource;
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
 * The one fake source of the runtime's tests, scripted by its configuration: source type {@code scripted} (or any
 * type and fields a test declares, {@link #provider(String, String, List)}), {@code docs} documents, each after
 * {@code delay_ms} milliseconds; {@code changed} is what {@link BaseDataSource#changed()} answers. Counts open
 * sources, so a test can check that every source a job opened was closed.
 *
 * <p>Options: {@code incremental} replays {@link #CHANGES} from a cursor (a position in it); {@code realtime} also
 * follows it ({@link RealtimeSource}: new entries are picked up every 50 ms, a checkpoint after each batch);
 * {@code watch} makes the source a {@link ChangeWatchingSource} scripted through {@link #watch(String)};
 * {@code identities} (above 0) makes it an {@link AccessControlSource} with that many identities. An option a test's
 * own field list does not declare takes its default.
 *
 * <p>{@code splits} (above 0) makes it a {@link SplittableSource}: that many ranges of document numbers, each read with a
 * position ({@code {"after": n}}) every 10 documents; {@code retryable_failures} makes each split's first reads fail
 * that many times, retryably, after 15 documents.
 *
 * <p>{@code holds_resources} makes it a {@link ResourceHoldingSource} (and nothing else): its connector holds a
 * {@code replication_slot} and a {@code publication} named {@code scripted_<connector id>} until they are dropped
 * ({@link #DROPPED}); the slot carries {@code resource_warning} when it is not empty, and listing them takes
 * {@code delay_ms}. Every scripted source reports
 * the gauge {@code scripted_instances} ({@link #CREATED}) through its context's metrics when it is created.
 *
 * <p>{@code config_warning}, when not empty, is what {@link BaseDataSource#configWarnings()} says.
 *
 * <p>A failure is injected at one point, {@code fail_at}: {@code create}, {@code ping}, {@code validate_config},
 * {@code get_docs}, {@code read_split}, {@code get_access_control}, {@code resources} or {@code drop_resources}; a
 * stream fails after {@code fail_after} items. The error is a {@link SourceException} saying
 * {@code scripted failure at <point>}.
 */
public final class ScriptedSources {
    public static final AtomicInteger OPEN = new AtomicInteger();
    public static final AtomicInteger CREATED = new AtomicInteger();
    /** The change log incremental scripted sources replay: a cursor is a position in it. */
    public static final List<ChangeEvent> CHANGES = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Cursors before this position are refused as expired (also by running followers, at their next poll). */
    public static final AtomicInteger EXPIRED_BEFORE = new AtomicInteger();
    /** How often followers look for new entries in {@link #CHANGES}. */
    static final Duration FOLLOW_POLL = Duration.ofMillis(50);
    private static final Map<String, WatchScript> WATCHES = new ConcurrentHashMap<>();
    /** Reads of each split so far, by split id, across source instances (as a backend would count them). */
    public static final Map<String, AtomicInteger> SPLIT_READS = new ConcurrentHashMap<>();

    /** The connectors whose resource-holding sources dropped their resources. */
    public static final java.util.Set<String> DROPPED = ConcurrentHashMap.newKeySet();

    /** The watch of connector {@code connectorId}'s watching sources, for a test to script. */
    public static WatchScript watch(String connectorId) {
        return WATCHES.computeIfAbsent(connectorId, id -> new WatchScript());
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

    private ScriptedSources() {
    }

    /**
     * The {@code scripted} type for {@link java.util.ServiceLoader} (test resources register it), so the command
     * line, which loads its source types, can run scripted connectors.
     */
    public static final class ServiceProvider implements DataSourceProvider {
        private final DataSourceProvider scripted = provider();

        @Override
        public String type() {
            return scripted.type();
        }

        @Override
        public String displayName() {
            return scripted.displayName();
        }

        @Override
        public List<ConfigField> configFields() {
            return scripted.configFields();
        }

        @Override
        public BaseDataSource create(SourceConfig config, SourceContext context) {
            return scripted.create(config, context);
        }
    }

    /** The {@code scripted} source type alone. */
    public static SourceRegistry registry() {
        return SourceRegistry.of(List.of(provider()));
    }

    /** The options of the {@code scripted} source type, each declared with its default. */
    public static final List<ConfigField> OPTIONS = List.of(
            ConfigField.integer("docs").defaultValue(10L).description("Documents"),
            ConfigField.integer("delay_ms").defaultValue(0L).description("Delay before each document"),
            ConfigField.bool("changed").defaultValue(true).description("What changed() answers"),
            ConfigField.bool("incremental").defaultValue(false).description("Replay CHANGES incrementally"),
            ConfigField.bool("realtime").defaultValue(false).description("Also follow CHANGES in real time"),
            ConfigField.bool("watch").defaultValue(false).description("Watch for changes (scripted by the test)"),
            ConfigField.integer("identities").defaultValue(0L).description("Access-control identities (0: none)"),
            ConfigField.integer("splits").defaultValue(0L).description("Splits of the full read (0: not splittable)"),
            ConfigField.integer("retryable_failures").defaultValue(0L).description("Retryable failures of each split"),
            ConfigField.string("fail_at").defaultValue("").description("Where to fail: create, ping, validate_config, "
                    + "get_docs, get_access_control (empty: nowhere)"),
            ConfigField.integer("fail_after").defaultValue(0L).description("Items a failing stream emits first"),
            ConfigField.bool("holds_resources").defaultValue(false).description("Hold a slot and a publication"),
            ConfigField.string("resource_warning").defaultValue("").description("The slot's warning (empty: healthy)"),
            ConfigField.string("config_warning").defaultValue("").description("What configWarnings() says (empty: none)"),
            ConfigField.string("password").asSensitive().description("A secret"),
            // Parsed to a Duration and a long: what the connector and job records store must be JSON.
            ConfigField.duration("timeout").defaultValue(java.time.Duration.ofSeconds(5)).description("Unused"),
            ConfigField.byteSize("max_size").defaultValue(1024L).description("Unused"));

    /** Source type {@code scripted}, with every option. */
    public static DataSourceProvider provider() {
        return provider("scripted", "Scripted", OPTIONS);
    }

    /**
     * A scripted source type named {@code type} declaring exactly {@code fields}: a test of configuration handling
     * declares the fields it needs (a required one, a validated one); the options it leaves out take their defaults.
     */
    public static DataSourceProvider provider(String type, String displayName, List<ConfigField> fields) {
        return new DataSourceProvider() {
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
                return fields;
            }

            @Override
            public BaseDataSource create(SourceConfig config, SourceContext context) {
                long docs = number(config, "docs", 10);
                long delay = number(config, "delay_ms", 0);
                boolean changed = flag(config, "changed", true);
                Failure failure = new Failure(text(config, "fail_at", ""), number(config, "fail_after", 0));
                failure.now("create");
                context.metrics().gauge("scripted_instances", "Scripted source instances created", CREATED.incrementAndGet());
                OPEN.incrementAndGet();
                BaseDataSource plain = plain(docs, delay, changed, failure, text(config, "config_warning", ""));
                if (flag(config, "holds_resources", false)) {
                    return new Holding(plain, context.connectorId(), text(config, "resource_warning", ""), delay, failure);
                }
                long identities = number(config, "identities", 0);
                if (identities > 0) {
                    return new AccessControlled(plain, identities, failure);
                }
                if (flag(config, "watch", false)) {
                    WatchScript script = watch(context.connectorId());
                    return flag(config, "realtime", false) ? new WatchingRealtime(plain, script)
                            : new Watching(plain, script);
                }
                if (flag(config, "realtime", false)) {
                    return new Realtime(plain);
                }
                long splits = number(config, "splits", 0);
                if (splits > 0) {
                    return new Splittable(plain, docs, delay, (int) splits, (int) number(config, "retryable_failures", 0),
                            failure);
                }
                return flag(config, "incremental", false) ? new Incremental(plain) : plain;
            }
        };
    }

    private static boolean declares(SourceConfig config, String name) {
        return config.fields().stream().anyMatch(f -> f.name().equals(name));
    }

    private static long number(SourceConfig config, String name, long otherwise) {
        return declares(config, name) ? config.integer(name) : otherwise;
    }

    private static boolean flag(SourceConfig config, String name, boolean otherwise) {
        return declares(config, name) ? config.bool(name) : otherwise;
    }

    private static String text(SourceConfig config, String name, String otherwise) {
        return declares(config, name) ? config.string(name) : otherwise;
    }

    /** Where a scripted source fails ({@code at}, empty for nowhere), and after how many items of a stream. */
    private record Failure(String at, long after) {
        private SourceException error(String point) {
            return new SourceException("scripted failure at " + point);
        }

        /** Throws at {@code point} if that is where the script fails: for what is not a publisher. */
        void now(String point) {
            if (at.equals(point)) {
                throw error(point);
            }
        }

        Mono<Void> mono(String point, Mono<Void> otherwise) {
            return at.equals(point) ? Mono.error(() -> error(point)) : otherwise;
        }

        <T> Flux<T> flux(String point, Flux<T> items) {
            return at.equals(point) ? items.take(after).concatWith(Flux.error(() -> error(point))) : items;
        }
    }

    /** A scripted source with a capability more: the base contract is the wrapped one's. */
    private abstract static class Wrapper implements BaseDataSource {
        final BaseDataSource plain;

        Wrapper(BaseDataSource plain) {
            this.plain = plain;
        }

        @Override
        public Mono<Void> ping() {
            return plain.ping();
        }

        @Override
        public Mono<Void> validateConfig() {
            return plain.validateConfig();
        }

        @Override
        public Mono<List<String>> configWarnings() {
            return plain.configWarnings();
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
    }

    /** A scripted source whose full read is divided into ranges of document numbers. */
    private static final class Splittable extends Wrapper implements SplittableSource {
        private final long docs;
        private final long delay;
        private final int splits;
        private final int retryableFailures;
        private final Failure failure;
        private final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();

        Splittable(BaseDataSource plain, long docs, long delay, int splits, int retryableFailures, Failure failure) {
            super(plain);
            this.docs = docs;
            this.delay = delay;
            this.splits = splits;
            this.retryableFailures = retryableFailures;
            this.failure = failure;
        }

        @Override
        public Mono<List<SourceSplit>> planSplits(SyncRules rules) {
            return Mono.fromSupplier(() -> {
                List<SourceSplit> out = new java.util.ArrayList<>();
                long size = Math.max(1, (docs + splits - 1) / splits);
                for (int i = 0; i < splits; i++) {
                    long from = i * size;
                    // The last range is open: documents added after planning are read by it.
                    Long to = i == splits - 1 ? null : (i + 1) * size;
                    Map<String, Object> values = new java.util.HashMap<>();
                    values.put("from", from);
                    values.put("to", to);
                    out.add(new SourceSplit("range-" + i, "doc-" + from + " to " + (to == null ? "the end" : "doc-" + (to - 1)), values));
                }
                return out;
            });
        }

        @Override
        public Flux<SplitEvent> readSplit(SourceSplit split, SplitPosition position, SyncRules rules) {
            return Flux.defer(() -> {
                SPLIT_READS.computeIfAbsent(split.id(), k -> new AtomicInteger()).incrementAndGet();
                long from = ((Number) split.values().get("from")).longValue();
                Object to = split.values().get("to");
                long end = to == null ? docs : Math.min(docs, ((Number) to).longValue());
                long start = position == null ? from : ((Number) position.values().get("after")).longValue() + 1;
                Flux<Long> numbers = Flux.range(0, (int) Math.max(0, end - start)).map(i -> start + i);
                if (delay > 0) {
                    numbers = numbers.concatMap(i -> Mono.delay(Duration.ofMillis(delay)).thenReturn(i));
                }
                Flux<SplitEvent> events = numbers.concatMap(i -> {
                    SplitEvent doc = SplitEvent.of(SourceDocument.builder("doc-" + i).field("n", i)
                            .field("kind", i % 2 == 0 ? "even" : "odd").version("v1").build());
                    return (i - from) % 10 == 9 || i == end - 1
                            ? Flux.just(doc, SplitEvent.at(new SplitPosition(Map.of("after", i)))) : Flux.just(doc);
                });
                AtomicInteger failed = failures.computeIfAbsent(split.id(), k -> new AtomicInteger());
                if (failed.get() < retryableFailures) {
                    failed.incrementAndGet();
                    events = events.take(15).concatWith(Flux.error(() -> new SourceException(
                            "scripted retryable failure reading " + split.id(), null, true)));
                }
                return failure.flux("read_split", events);
            });
        }
    }

    /**
     * A scripted source with document-level security: identities {@code user-0} ... {@code user-<n-1>}, each a member of
     * group {@code even} or {@code odd}.
     */
    private static final class AccessControlled extends Wrapper implements AccessControlSource {
        private final long identities;
        private final Failure failure;

        AccessControlled(BaseDataSource plain, long identities, Failure failure) {
            super(plain);
            this.identities = identities;
            this.failure = failure;
        }

        @Override
        public Flux<SourceDocument> getAccessControl() {
            return failure.flux("get_access_control", Flux.range(0, (int) identities).map(i -> SourceDocument.builder("user-" + i)
                    .field("username", "user-" + i)
                    .field(permissionsField(), List.of(i % 2 == 0 ? "even" : "odd")).version("v1").build()));
        }
    }

    /** A scripted source that keeps a slot and a publication for its connector until they are dropped. */
    private static final class Holding extends Wrapper implements ResourceHoldingSource {
        private final String connectorId;
        private final String warning;
        private final long delay;
        private final Failure failure;

        Holding(BaseDataSource plain, String connectorId, String warning, long delay, Failure failure) {
            super(plain);
            this.connectorId = connectorId;
            this.warning = warning;
            this.delay = delay;
            this.failure = failure;
        }

        @Override
        public Mono<List<SourceResource>> resources() {
            return Mono.delay(Duration.ofMillis(delay)).then(failure.mono("resources", Mono.empty())).then(Mono.fromSupplier(() -> DROPPED.contains(connectorId)
                    ? List.of()
                    : List.of(new SourceResource("replication_slot", "scripted_" + connectorId, slotDetails(),
                                    warning.isEmpty() ? List.of() : List.of(warning)),
                            new SourceResource("publication", "scripted_" + connectorId, Map.of(), List.of()))));
        }

        /** In the order a source gives them, which is the order they are shown in. */
        private static Map<String, Object> slotDetails() {
            Map<String, Object> details = new java.util.LinkedHashMap<>();
            details.put("retained_wal_bytes", 1_048_576L);
            details.put("active", false);
            return details;
        }

        @Override
        public Mono<List<String>> dropResources() {
            return failure.mono("drop_resources", Mono.empty()).then(Mono.fromSupplier(() -> DROPPED.add(connectorId)
                    ? List.of("dropped replication slot scripted_" + connectorId, "dropped publication scripted_" + connectorId)
                    : List.of()));
        }
    }

    /** A scripted source that watches for changes. */
    private static final class Watching extends Wrapper implements ChangeWatchingSource {
        private final WatchScript script;

        Watching(BaseDataSource plain, WatchScript script) {
            super(plain);
            this.script = script;
        }

        @Override
        public Flux<Signal> watchChanges() {
            return script.subscribe();
        }
    }

    /** A scripted source that also syncs incrementally from {@link #CHANGES}. */
    private static class Incremental extends Wrapper implements IncrementalSource {
        Incremental(BaseDataSource plain) {
            super(plain);
        }

        @Override
        public Flux<ChangeEvent> getDocsIncrementally(SyncCursor cursor, SyncRules rules) {
            int from = ((Number) cursor.values().get("pos")).intValue();
            if (from < EXPIRED_BEFORE.get()) {
                return Flux.error(new CursorExpiredException("position " + from + " is no longer in the change log"));
            }
            List<ChangeEvent> events = List.copyOf(CHANGES);
            return Flux.fromIterable(events.subList(Math.min(from, events.size()), events.size()))
                    .concatWith(Flux.just(new ChangeEvent.Checkpoint(new SyncCursor(Map.of("pos", events.size())))));
        }

        @Override
        public Mono<SyncCursor> currentCursor() {
            // History before EXPIRED_BEFORE is gone: the current position is at least there.
            return Mono.fromCallable(() -> new SyncCursor(Map.of("pos", Math.max(CHANGES.size(), EXPIRED_BEFORE.get()))));
        }
    }

    /**
     * A scripted source that follows {@link #CHANGES} in real time. It maps {@code n} as a long, as a database column
     * would be, so that text in it is refused (not kept unindexed, as the schemaless policy would).
     */
    private static class Realtime extends Incremental implements RealtimeSource, io.connectors.spi.MappingContributor {
        Realtime(BaseDataSource plain) {
            super(plain);
        }

        @Override
        public Map<String, Object> mappingProperties() {
            return Map.of("n", Map.of("type", "long"));
        }

        @Override
        public Flux<ChangeEvent> followChanges(SyncCursor cursor, SyncRules rules) {
            return follow(cursor);
        }
    }

    /** Both: a real-time source that also watches. */
    private static final class WatchingRealtime extends Realtime implements ChangeWatchingSource {
        private final WatchScript script;

        WatchingRealtime(BaseDataSource plain, WatchScript script) {
            super(plain);
            this.script = script;
        }

        @Override
        public Flux<Signal> watchChanges() {
            return script.subscribe();
        }
    }

    /** Follows {@link #CHANGES} from {@code cursor}: the new entries of each poll, then a checkpoint after them. */
    public static Flux<ChangeEvent> follow(SyncCursor cursor) {
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

    private static BaseDataSource plain(long docs, long delay, boolean changed, Failure failure,
                                        String configWarning) {
                return new BaseDataSource() {
                    private final AtomicInteger closed = new AtomicInteger();

                    @Override
                    public Mono<Void> ping() {
                        return failure.mono("ping", Mono.empty());
                    }

                    @Override
                    public Mono<Void> validateConfig() {
                        return failure.mono("validate_config", Mono.empty());
                    }

                    @Override
                    public Mono<List<String>> configWarnings() {
                        return Mono.just(configWarning.isEmpty() ? List.of() : List.of(configWarning));
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
                        return failure.flux("get_docs", ids.map(i -> SourceDocument.builder("doc-" + i).field("n", i)
                                .field("kind", i % 2 == 0 ? "even" : "odd").version("v1").build()));
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
