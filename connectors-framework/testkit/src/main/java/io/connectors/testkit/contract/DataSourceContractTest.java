package io.connectors.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.connectors.spi.BaseDataSource;
import io.connectors.spi.DataSourceProvider;
import io.connectors.spi.DeferredSource;
import io.connectors.spi.MappingContributor;
import io.connectors.spi.SourceContext;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SourceException;
import io.connectors.spi.config.ConfigField;
import io.connectors.spi.config.ConfigValidationException;
import io.connectors.spi.config.FieldError;
import io.connectors.spi.config.SourceConfig;
import io.connectors.spi.rules.SyncRules;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import io.connectors.spi.SourceSplit;
import io.connectors.spi.SplitEvent;
import io.connectors.spi.SplittableSource;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * The contract every source passes, in the manner of r2dbc's TestKit: a source's test class extends this one and
 * supplies a fixture (a provider, a backend it prepared, and what that backend holds); the inherited tests check
 * the rules of the SPI that can be observed from outside.
 *
 * <pre>{@code
 * class DirectoryDataSourceContractTest extends DataSourceContractTest {
 *     @TempDir static Path root;
 *     protected DataSourceProvider provider() { return new DirectoryDataSourceProvider(); }
 *     protected Map<String, Object> validConfiguration() { return Map.of("path", root.toString()); }
 *     ...
 * }
 * }</pre>
 *
 * <h2>The fixture</h2>
 * The abstract methods may be called many times, from any test; they must answer the same each time. The backend
 * must hold at least {@value #MIN_DOCUMENTS} documents, so that cancelling after a few still leaves work undone.
 *
 * <h2>Observing resources</h2>
 * {@link #openResourceCount()} reports how many backend resources (connections, cursors, file handles) are open
 * right now, as the fixture can see them from the backend's or the operating system's side. The suite requires
 * the count to <em>rise</em> while a subscription is active and to return to its baseline after cancellation,
 * completion and {@code close()}: a probe that cannot see the source's resources (one that always answers 0)
 * fails the suite instead of passing it vacuously.
 *
 * <h2>Splits</h2>
 * For a {@link SplittableSource}: the union of its splits is exactly {@code getDocs} (ids and versions), no document is
 * in two splits, and a split read from each position it emitted (split and position handed through JSON, as a job
 * record holds them) yields exactly the documents that followed it. {@link #splittingConfiguration()} may give a
 * configuration that makes several splits of the fixture.
 *
 * <p>A test that does not apply to a source can be overridden and annotated {@code @Disabled("why")}; say why.
 */
public abstract class DataSourceContractTest {

    /** The least number of documents the fixture's backend must hold. */
    public static final int MIN_DOCUMENTS = 5;

    /**
     * A configuration the source must refuse.
     *
     * @param description what is wrong, for the failure message
     * @param raw         the raw configuration, as {@code config.yml} would give it
     * @param field       the field the error must name
     */
    public record InvalidConfiguration(String description, Map<String, Object> raw, String field) {
        public InvalidConfiguration {
            Objects.requireNonNull(description, "description");
            raw = new LinkedHashMap<>(Objects.requireNonNull(raw, "raw"));
            Objects.requireNonNull(field, "field");
        }
    }

    /** The provider under test, as a new instance. */
    protected abstract DataSourceProvider provider();

    /** A raw configuration that reaches the backend the fixture prepared. */
    protected abstract Map<String, Object> validConfiguration();

    /** The ids of every document the backend holds; at least {@value #MIN_DOCUMENTS}. */
    protected abstract Set<String> expectedIds();

    /** A raw configuration that is valid field by field but whose backend cannot be reached. */
    protected abstract Map<String, Object> unreachableConfiguration();

    /** What the error for {@link #unreachableConfiguration()} must say, e.g. the host and port, or the path. */
    protected abstract String unreachableMessageFragment();

    /** Configurations the source must refuse, each with the field its error names. */
    protected abstract List<InvalidConfiguration> invalidConfigurations();

    /** The number of backend resources open right now; see the class documentation. */
    protected abstract long openResourceCount();

    /**
     * For a fixture method not written yet: throw what this returns, and each test that needs the method fails with
     * a message naming it and saying what to do. {@code make new-source} writes fixtures this way.
     *
     * @param method   the method, as {@code "expectedIds()"}
     * @param whatToDo what the method must do, in a sentence
     */
    protected static AssertionError notWrittenYet(String method, String whatToDo) {
        return new AssertionError(method + " of the contract test is not written yet: " + whatToDo
                + ". See docs/DEVELOPING.md.");
    }

    /** A configuration to refuse, for {@link #invalidConfigurations()}: {@code raw} with an error naming {@code field}. */
    protected static InvalidConfiguration invalid(String description, Map<String, Object> raw, String field) {
        return new InvalidConfiguration(description, raw, field);
    }

    /** {@code base} with {@code key} set to {@code value}: a configuration valid but, maybe, for that one field. */
    protected static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
        Map<String, Object> raw = new LinkedHashMap<>(base);
        raw.put(key, value);
        return raw;
    }

    /** {@code base} without {@code key}. */
    protected static Map<String, Object> without(Map<String, Object> base, String key) {
        Map<String, Object> raw = new LinkedHashMap<>(base);
        raw.remove(key);
        return raw;
    }

    /** The context passed to {@link DataSourceProvider#create}. */
    protected SourceContext context() {
        return new SourceContext("contract-test");
    }

    /** How long any one step may take (a full read of the fixture, a ping, a close). */
    protected Duration stepTimeout() {
        return Duration.ofSeconds(30);
    }

    /** How long a source may take to release its resources after a cancel, a completion or a close. */
    protected Duration releaseTimeout() {
        return Duration.ofSeconds(10);
    }

    // ---------------------------------------------------------------------------------------------- documents

    @Test
    @DisplayName("getDocs emits every document exactly once, then releases its resources")
    void emitsEveryDocumentExactlyOnce() {
        assertFixtureIsLargeEnough();
        long baseline = openResourceCount();
        BaseDataSource source = createSource(validConfiguration());
        try {
            List<SourceDocument> docs = readAll(source.getDocs(SyncRules.NONE));
            List<String> ids = docs.stream().map(SourceDocument::id).toList();
            assertThat(duplicates(ids)).as("ids emitted more than once").isEmpty();
            assertThat(new TreeSet<>(ids)).as("ids emitted").isEqualTo(new TreeSet<>(expectedIds()));
        } finally {
            close(source);
        }
        awaitReleased(baseline, "after getDocs completed and close()");
    }

    @Test
    @DisplayName("subscribing again to the same getDocs flux reads again, with the same ids and versions")
    void resubscriptionReadsTheSameDocuments() {
        BaseDataSource source = createSource(validConfiguration());
        try {
            Flux<SourceDocument> docs = source.getDocs(SyncRules.NONE);
            Map<String, Optional<String>> first = versionsById(readAll(docs));
            Map<String, Optional<String>> second = versionsById(readAll(docs));
            assertThat(second).as("second subscription to the same flux").isEqualTo(first);
        } finally {
            close(source);
        }
    }

    @Test
    @DisplayName("ids and versions are stable across two syncs with two source instances")
    void idsAndVersionsAreStableAcrossSyncs() {
        Map<String, Optional<String>> first = readVersionsWithNewSource();
        Map<String, Optional<String>> second = readVersionsWithNewSource();
        assertThat(second).as("ids and versions of the second sync").isEqualTo(first);
        assertThat(first.keySet()).isEqualTo(expectedIds());
    }

    @Test
    @DisplayName("getDocs emits no more than requested")
    void honoursBackpressure() {
        assertFixtureIsLargeEnough();
        BaseDataSource source = createSource(validConfiguration());
        AtomicLong requested = new AtomicLong();
        AtomicLong received = new AtomicLong();
        List<String> overflows = new CopyOnWriteArrayList<>();
        Flux<SourceDocument> observed = source.getDocs(SyncRules.NONE)
                .doOnNext(doc -> {
                    if (received.incrementAndGet() > requested.get()) {
                        overflows.add("document " + received.get() + " (" + doc.id() + ") with only " + requested.get() + " requested");
                    }
                })
                .doOnRequest(n -> requested.accumulateAndGet(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b));
        try {
            StepVerifier.create(observed, 0)
                    .expectSubscription()
                    .thenRequest(1)
                    .expectNextCount(1)
                    .thenRequest(2)
                    .expectNextCount(2)
                    .thenRequest(1)
                    .expectNextCount(1)
                    .thenCancel()
                    .verify(stepTimeout());
        } finally {
            close(source);
        }
        assertThat(overflows).as("documents emitted beyond demand").isEmpty();
        assertThat(received.get()).isEqualTo(4);
    }

    // ------------------------------------------------------------------------------------ laziness, resources

    @Test
    @DisplayName("nothing happens before subscription: assembling publishers opens nothing and fails nothing")
    void nothingHappensBeforeSubscription() {
        long baseline = openResourceCount();
        BaseDataSource source = createSource(validConfiguration());
        source.getDocs(SyncRules.NONE);
        source.ping();
        source.validateConfig();
        source.changed();
        assertThat(openResourceCount()).as("resources open after assembling getDocs, ping, validateConfig and changed"
                + " without subscribing").isEqualTo(baseline);

        // An eager source would fail here, at assembly, rather than when subscribed to.
        BaseDataSource unreachable = createSource(unreachableConfiguration());
        assertThatCode(() -> {
            unreachable.getDocs(SyncRules.NONE);
            unreachable.ping();
            unreachable.validateConfig();
        }).as("assembling publishers for an unreachable backend").doesNotThrowAnyException();
        close(unreachable);

        // Proves the probe sees this source's resources, so the equality above means something.
        assertSeenWhileActive(source, baseline);
        close(source);
        awaitReleased(baseline, "after cancel and close()");
    }

    @Test
    @DisplayName("cancelling after a few documents releases every resource; close() is idempotent")
    void cancellationReleasesResources() {
        assertFixtureIsLargeEnough();
        long baseline = openResourceCount();
        BaseDataSource source = createSource(validConfiguration());
        assertSeenWhileActive(source, baseline);
        awaitReleased(baseline, "after cancelling getDocs");

        StepVerifier.create(source.close()).as("first close()").expectComplete().verify(stepTimeout());
        StepVerifier.create(source.close()).as("second close()").expectComplete().verify(stepTimeout());
        awaitReleased(baseline, "after close() twice");
    }

    // ------------------------------------------------------------------------------------------ ping, errors

    @Test
    @DisplayName("ping and validateConfig succeed against the fixture's backend")
    void pingSucceedsForValidConfiguration() {
        BaseDataSource source = createSource(validConfiguration());
        try {
            StepVerifier.create(source.ping()).as("ping").expectComplete().verify(stepTimeout());
            StepVerifier.create(source.validateConfig()).as("validateConfig").expectComplete().verify(stepTimeout());
        } finally {
            close(source);
        }
    }

    @Test
    @DisplayName("ping fails with a SourceException naming what could not be reached, without secrets")
    void pingFailsClearlyWhenUnreachable() {
        long baseline = openResourceCount();
        BaseDataSource source = createSource(unreachableConfiguration());
        try {
            StepVerifier.create(source.ping())
                    .expectErrorSatisfies(e -> assertClearFailure(e, "ping"))
                    .verify(stepTimeout());
        } finally {
            close(source);
        }
        awaitReleased(baseline, "after a failed ping");
    }

    @Test
    @DisplayName("getDocs fails (never completes empty) when the backend is unreachable")
    void getDocsFailsWhenUnreachable() {
        long baseline = openResourceCount();
        BaseDataSource source = createSource(unreachableConfiguration());
        try {
            StepVerifier.create(source.getDocs(SyncRules.NONE))
                    .expectErrorSatisfies(e -> assertClearFailure(e, "getDocs"))
                    .verify(stepTimeout());
        } finally {
            close(source);
        }
        awaitReleased(baseline, "after getDocs failed");
    }

    // ------------------------------------------------------------------------------------------ configuration

    @Test
    @DisplayName("each invalid configuration is refused with a ConfigValidationException naming the field")
    void invalidConfigurationsAreRefused() {
        List<InvalidConfiguration> cases = new ArrayList<>(invalidConfigurations());
        assertThat(cases).as("invalidConfigurations() of the fixture").isNotEmpty();
        for (ConfigField field : provider().configFields()) {
            if (field.required() && field.defaultValue() == null) {
                Map<String, Object> raw = new LinkedHashMap<>(validConfiguration());
                raw.remove(field.name());
                cases.add(new InvalidConfiguration("required field '" + field.name() + "' missing", raw, field.name()));
            }
        }
        SoftAssertions softly = new SoftAssertions();
        for (InvalidConfiguration c : cases) {
            Throwable refusal = refusal(c.raw());
            softly.assertThat(refusal).as(c.description() + ": refused with a ConfigValidationException")
                    .isInstanceOf(ConfigValidationException.class);
            if (refusal instanceof ConfigValidationException cve) {
                softly.assertThat(cve.errors()).extracting(FieldError::field).as(c.description() + ": fields named")
                        .contains(c.field());
                for (String secret : sensitiveValues(c.raw())) {
                    softly.assertThat(cve.getMessage()).as(c.description() + ": message leaks a sensitive value")
                            .doesNotContain(secret);
                }
            }
        }
        softly.assertAll();
    }

    @Test
    @DisplayName("the valid configuration passes field validation")
    void validConfigurationIsAccepted() {
        assertThatCode(() -> SourceConfig.from(provider().configFields(), validConfiguration()))
                .doesNotThrowAnyException();
    }

    // ------------------------------------------------------------------------------------------ provider

    @Test
    @DisplayName("type() is lower-case snake_case and displayName() is set")
    void typeIsLowerCase() {
        DataSourceProvider provider = provider();
        assertThat(provider.type()).matches("[a-z][a-z0-9_]*");
        assertThat(provider.displayName()).isNotBlank();
    }

    @Test
    @DisplayName("the provider is registered for ServiceLoader, once, with a unique type")
    void providerIsFoundByServiceLoader() {
        DataSourceProvider provider = provider();
        List<DataSourceProvider> loaded = ServiceLoader.load(DataSourceProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .toList();
        List<DataSourceProvider> sameType = loaded.stream().filter(p -> p.type().equals(provider.type())).toList();
        assertThat(sameType).as("providers of type '" + provider.type() + "' in META-INF/services")
                .singleElement()
                .extracting(Object::getClass)
                .isEqualTo(provider.getClass());
        assertThat(duplicates(loaded.stream().map(DataSourceProvider::type).toList()))
                .as("types declared by more than one provider").isEmpty();
    }

    @Test
    @DisplayName("config fields are documented, uniquely named, and their defaults pass their own validation")
    void configFieldsAreDocumented() {
        List<ConfigField> fields = provider().configFields();
        assertThat(fields).isNotEmpty();
        assertThat(duplicates(fields.stream().map(ConfigField::name).toList())).as("field names declared twice").isEmpty();
        SoftAssertions softly = new SoftAssertions();
        for (ConfigField f : fields) {
            softly.assertThat(f.description()).as("description of '" + f.name() + "'").isNotBlank();
            if (f.defaultValue() != null) {
                softly.assertThat(f.validator().apply(f.defaultValue())).as("validation of the default of '" + f.name() + "'")
                        .isNull();
            }
        }
        softly.assertAll();
    }

    @Test
    @DisplayName("sensitive values never appear in SourceConfig.toString() or masked()")
    void sensitiveValuesAreMasked() {
        for (Map<String, Object> raw : List.of(validConfiguration(), unreachableConfiguration())) {
            SourceConfig config = SourceConfig.from(provider().configFields(), raw);
            for (ConfigField f : provider().configFields()) {
                if (f.sensitive() && config.has(f.name())) {
                    assertThat(config.masked()).as("masked() of sensitive field '" + f.name() + "'")
                            .containsEntry(f.name(), SourceConfig.MASK);
                }
            }
            for (String secret : sensitiveValues(raw)) {
                assertThat(config.toString()).doesNotContain(secret);
            }
        }
    }

    @Test
    @DisplayName("a MappingContributor maps every top-level field it emits")
    void mappingsCoverEmittedFields() {
        BaseDataSource source = createSource(validConfiguration());
        try {
            if (!(source instanceof MappingContributor contributor)) {
                return;
            }
            // As the runtime does: validate, then ask for the mapping of the sync's rules.
            StepVerifier.create(source.validateConfig()).as("validateConfig()").expectComplete().verify(stepTimeout());
            AtomicReference<Map<String, Object>> mapped = new AtomicReference<>();
            StepVerifier.create(contributor.mappingProperties(SyncRules.NONE)).as("mappingProperties(rules)")
                    .consumeNextWith(mapped::set).expectComplete().verify(stepTimeout());
            Map<String, Object> properties = mapped.get();
            Set<String> emitted = built(source, readAll(source.getDocs(SyncRules.NONE))).stream()
                    .flatMap(d -> d.fields().keySet().stream())
                    .collect(Collectors.toCollection(TreeSet::new));
            assertThat(properties.keySet()).as("mapped fields").containsAll(emitted);
        } finally {
            close(source);
        }
    }

    @Test
    @DisplayName("deferred documents come only from a DeferredSource, and fetch builds each with its id and version")
    void deferredDocumentsAreBuiltByFetch() {
        BaseDataSource source = createSource(validConfiguration());
        try {
            List<SourceDocument> listed = readAll(source.getDocs(SyncRules.NONE));
            List<SourceDocument> deferred = listed.stream().filter(SourceDocument::isDeferred).toList();
            if (deferred.isEmpty()) {
                return;
            }
            assertThat(source).as("a source that emits deferred documents implements DeferredSource")
                    .isInstanceOf(DeferredSource.class);
            Map<String, Optional<String>> builtVersions = versionsById(built(source, deferred));
            assertThat(builtVersions).as("ids and versions of the documents fetch built from the deferred ones")
                    .isEqualTo(versionsById(deferred));
        } finally {
            close(source);
        }
    }

    @Test
    @DisplayName("fetch leaves out an item that vanished, builds the others")
    void fetchLeavesOutVanishedItems() {
        BaseDataSource source = createSource(validConfiguration());
        try {
            List<SourceDocument> deferred = readAll(source.getDocs(SyncRules.NONE)).stream()
                    .filter(SourceDocument::isDeferred).limit(3).toList();
            if (deferred.isEmpty()) {
                return;
            }
            Optional<SourceDocument> vanished = vanishedItem(deferred.get(0));
            if (vanished.isEmpty()) {
                return;
            }
            List<SourceDocument> batch = new ArrayList<>(deferred);
            batch.add(vanished.get());
            Set<String> ids = built(source, batch).stream().map(SourceDocument::id).collect(Collectors.toSet());
            assertThat(ids).as("ids fetch built").isEqualTo(deferred.stream().map(SourceDocument::id).collect(Collectors.toSet()));
        } finally {
            close(source);
        }
    }

    // ------------------------------------------------------------------------------------------------ splits

    /**
     * A configuration of the fixture's backend under which a {@link SplittableSource} divides its read into several
     * splits (a small split size, say), so that the split checks see more than one; the default is
     * {@link #validConfiguration()}.
     */
    protected Map<String, Object> splittingConfiguration() {
        return validConfiguration();
    }

    @Test
    @DisplayName("splits: their union is exactly the full read, no document in two splits")
    void splitsCoverTheFullReadExactlyOnce() {
        BaseDataSource source = createSource(splittingConfiguration());
        try {
            org.junit.jupiter.api.Assumptions.assumeTrue(source instanceof SplittableSource, "not a SplittableSource");
            SplittableSource splittable = (SplittableSource) source;
            List<SourceSplit> splits = SplitReads.plan(splittable, stepTimeout());
            Map<String, String> inSplit = new LinkedHashMap<>();
            List<SourceDocument> union = new ArrayList<>();
            for (SourceSplit split : splits) {
                for (SourceDocument d : SplitReads.documents(SplitReads.read(splittable, split, null, stepTimeout()))) {
                    String before = inSplit.put(d.id(), split.id());
                    assertThat(before).as("document " + d.id() + " is in split " + split.id() + " and in " + before)
                            .isNull();
                    union.add(d);
                }
            }
            assertThat(versionsById(union)).as("ids and versions of the splits' documents, against getDocs")
                    .isEqualTo(versionsById(readAll(source.getDocs(SyncRules.NONE))));
        } finally {
            close(source);
        }
    }

    @Test
    @DisplayName("splits: a split read from a position, both through JSON, yields exactly what followed it")
    void aSplitReadFromAPositionYieldsExactlyTheRest() {
        BaseDataSource source = createSource(splittingConfiguration());
        try {
            org.junit.jupiter.api.Assumptions.assumeTrue(source instanceof SplittableSource, "not a SplittableSource");
            SplittableSource splittable = (SplittableSource) source;
            int checked = 0;
            for (SourceSplit split : SplitReads.plan(splittable, stepTimeout())) {
                List<SplitEvent> first = SplitReads.read(splittable, split, null, stepTimeout());
                for (int i = 0; i < first.size(); i++) {
                    if (!(first.get(i) instanceof SplitEvent.Position p)) {
                        continue;
                    }
                    List<SplitEvent> rest = SplitReads.read(splittable, SplitReads.throughJson(split),
                            SplitReads.throughJson(p.position()), stepTimeout());
                    assertThat(versionsById(SplitReads.documents(rest)))
                            .as("split " + split.id() + " read from position " + p.position().values())
                            .isEqualTo(versionsById(SplitReads.documents(first.subList(i + 1, first.size()))));
                    checked++;
                }
                assertThat(SplitReads.documents(SplitReads.read(splittable, SplitReads.throughJson(split), null,
                        stepTimeout()))).as("split " + split.id() + " read again from its JSON form").hasSameSizeAs(
                        SplitReads.documents(first));
            }
            assertThat(checked).as("positions emitted by the splits' reads (every read may resume somewhere)").isPositive();
        } finally {
            close(source);
        }
    }

    /**
     * A deferred document like {@code existing} (same kind of state) for an item the backend does not hold, so that
     * {@link #fetchLeavesOutVanishedItems} can check fetch leaves it out; empty (the default) skips that test.
     */
    protected Optional<SourceDocument> vanishedItem(SourceDocument existing) {
        return Optional.empty();
    }

    // ------------------------------------------------------------------------------------------ helpers

    /** Creates a source from a raw configuration, as the runtime would. */
    protected final BaseDataSource createSource(Map<String, Object> raw) {
        DataSourceProvider provider = provider();
        BaseDataSource source = provider.create(SourceConfig.from(provider.configFields(), raw), context());
        assertThat(source).as(provider.getClass().getSimpleName() + ".create").isNotNull();
        return source;
    }

    /** Reads every document of {@code docs}, failing on error or timeout. */
    protected final List<SourceDocument> readAll(Flux<SourceDocument> docs) {
        List<SourceDocument> out = new ArrayList<>();
        StepVerifier.create(docs.doOnNext(out::add))
                .thenConsumeWhile(d -> true)
                .expectComplete()
                .verify(stepTimeout());
        return out;
    }

    /**
     * {@code docs} with every deferred document replaced by the one {@link DeferredSource#fetch} builds, as the runtime
     * would (in batches of 100); fails if a deferred document comes from a source that cannot build it.
     */
    protected final List<SourceDocument> built(BaseDataSource source, List<SourceDocument> docs) {
        return DeferredDocuments.build(source, docs, stepTimeout());
    }

    /** Waits, up to {@link #releaseTimeout()}, for the open resource count to come back to {@code baseline}. */
    protected final void awaitReleased(long baseline, String when) {
        // Sources may release asynchronously (a connection closed on another thread), hence a bounded poll.
        Flux.interval(Duration.ZERO, Duration.ofMillis(10))
                .map(tick -> openResourceCount())
                .filter(open -> open <= baseline)
                .next()
                .timeout(releaseTimeout())
                .onErrorMap(TimeoutException.class, e -> new AssertionError("resources still open " + when + " ("
                        + releaseTimeout().toMillis() + " ms later): " + openResourceCount() + ", baseline " + baseline))
                .as(StepVerifier::create)
                .expectNextMatches(open -> open == baseline)
                .expectComplete()
                .verify(releaseTimeout().multipliedBy(2));
    }

    private void assertSeenWhileActive(BaseDataSource source, long baseline) {
        AtomicLong during = new AtomicLong(-1);
        StepVerifier.create(source.getDocs(SyncRules.NONE), 0)
                .expectSubscription()
                .thenRequest(2)
                .expectNextCount(2)
                .then(() -> during.set(openResourceCount()))
                .thenCancel()
                .verify(stepTimeout());
        assertThat(during.get())
                .as("openResourceCount() while a getDocs subscription is active (baseline " + baseline + "): the probe"
                        + " must see the resources the source holds, or the release checks prove nothing")
                .isGreaterThan(baseline);
    }

    private void assertFixtureIsLargeEnough() {
        assertThat(expectedIds()).as("expectedIds() of the fixture").hasSizeGreaterThanOrEqualTo(MIN_DOCUMENTS);
    }

    private void assertClearFailure(Throwable e, String operation) {
        assertThat(e).as(operation + " error").isInstanceOf(SourceException.class);
        assertThat(e.getMessage()).as(operation + " error message").contains(unreachableMessageFragment());
        for (String secret : sensitiveValues(unreachableConfiguration())) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                assertThat(String.valueOf(t.getMessage())).as(operation + " error leaks a sensitive value").doesNotContain(secret);
            }
        }
    }

    /** The refusal of a configuration by field validation, by create() or by validateConfig(); null if accepted. */
    private Throwable refusal(Map<String, Object> raw) {
        DataSourceProvider provider = provider();
        BaseDataSource source;
        try {
            source = provider.create(SourceConfig.from(provider.configFields(), raw), context());
        } catch (RuntimeException e) {
            return e;
        }
        AtomicReference<Throwable> error = new AtomicReference<>();
        try {
            StepVerifier.create(source.validateConfig().doOnError(error::set).onErrorComplete())
                    .expectComplete()
                    .verify(stepTimeout());
        } finally {
            close(source);
        }
        return error.get();
    }

    private List<String> sensitiveValues(Map<String, Object> raw) {
        List<String> secrets = new ArrayList<>();
        for (ConfigField f : provider().configFields()) {
            Object value = raw.get(f.name());
            if (f.sensitive() && value != null && !value.toString().isEmpty()) {
                secrets.add(value.toString());
            }
        }
        return secrets;
    }

    private Map<String, Optional<String>> readVersionsWithNewSource() {
        BaseDataSource source = createSource(validConfiguration());
        try {
            return versionsById(readAll(source.getDocs(SyncRules.NONE)));
        } finally {
            close(source);
        }
    }

    private static Map<String, Optional<String>> versionsById(List<SourceDocument> docs) {
        assertThat(duplicates(docs.stream().map(SourceDocument::id).toList())).as("ids emitted more than once").isEmpty();
        return docs.stream().collect(Collectors.toMap(SourceDocument::id, SourceDocument::version, (a, b) -> a, TreeMap::new));
    }

    private void close(BaseDataSource source) {
        StepVerifier.create(source.close()).as("close()").expectComplete().verify(stepTimeout());
    }

    private static <T> Set<T> duplicates(List<T> values) {
        Set<T> seen = new HashSet<>();
        return values.stream().filter(v -> !seen.add(v)).collect(Collectors.toCollection(LinkedHashSet::new));
    }
}
