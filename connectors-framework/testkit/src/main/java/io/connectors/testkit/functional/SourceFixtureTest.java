package io.connectors.testkit.functional;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.testkit.functional.SourceFixture.Mutation;
import io.connectors.testkit.functional.SourceFixture.Truth;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link SourceFixture} must satisfy for {@code make ftest} to mean anything, checked against the
 * fixture's real backend: it is found by {@link ServiceLoader}; its ground truth is complete, in unsigned UTF-8 order
 * of id, and equals an <em>oracle</em> (the documents as a faithful source indexes them, built without the fixture's
 * code); a mutation adds, updates and deletes exactly what it says; a load replaces what was there, the same way each
 * time; and it loads the {@value #FTEST_SIZE} documents {@code make ftest} loads by default.
 *
 * <p>A source's fixture test extends this class and wires in its fixture and its oracle; what it adds beyond that is
 * what is specific to its backend (odd ids, realistic content, change streams, a restart):
 *
 * <pre>{@code
 * class DirectoryFixtureTest extends SourceFixtureTest<DirectoryFixture> {
 *     protected DirectoryFixture createFixture() { return new DirectoryFixture(); }
 *     protected int count() { return 2_600; }
 *     protected Map<String, Map<String, Object>> indexedSources() { ... what the directory source emits ... }
 * }
 * }</pre>
 *
 * <p>The fixture is started once for the class (in a temporary folder) and loaded with {@link #count()} documents
 * before each test; it is closed after the last one, then {@link #afterClose} runs. Blocking is fine here: this is
 * test code.
 *
 * @param <F> the fixture's class
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class SourceFixtureTest<F extends SourceFixture> {

    /** How many documents {@code make ftest} loads by default (its size {@code small}). */
    public static final int FTEST_SIZE = 12_000;

    /** The mutation every fixture gets: these many additions, updates and deletions. */
    protected static final int ADDS = 100;
    protected static final int UPDATES = 120;
    protected static final int DELETES = 130;

    private Path work;
    private F fixture;

    /** A new fixture, not started. */
    protected abstract F createFixture();

    /**
     * How many documents are loaded before each test: enough to reach every kind of id and content the fixture
     * makes (say which in a comment), few enough for a unit test, and more than {@link #UPDATES} + {@link #DELETES}.
     */
    protected abstract int count();

    /**
     * The oracle: every document the backend holds now, by id, as a faithful source indexes it and the harness reads
     * it back from {@code _source}. Build it without the fixture's code: read with the source itself, or map what the
     * backend's own client returns independently (a test oracle never copies the code it checks).
     */
    protected abstract Map<String, Map<String, Object>> indexedSources() throws Exception;

    /** Checks what closing the fixture must have done (a database dropped, a server stopped); nothing by default. */
    protected void afterClose(F closed) throws Exception {
    }

    /** The fixture under test, started and loaded. */
    protected final F fixture() {
        return fixture;
    }

    /** A folder of the test's, deleted after the class. */
    protected final Path work() {
        return work;
    }

    @BeforeAll
    final void startFixture(@TempDir Path workDir) throws Exception {
        work = workDir;
        fixture = createFixture();
        fixture.start(work);
    }

    @BeforeEach
    final void loadFixture() throws Exception {
        fixture.load(count());
    }

    @AfterAll
    final void closeFixture() throws Exception {
        if (fixture != null) {
            fixture.close();
            afterClose(fixture);
        }
    }

    /** The whole ground truth, in its order. */
    protected final List<Truth> truth() throws Exception {
        List<Truth> truth = new ArrayList<>();
        fixture.groundTruth().forEachRemaining(truth::add);
        return truth;
    }

    /** The ground truth as id to digest, in its order. */
    protected final Map<String, String> truthById() throws Exception {
        return byId(truth());
    }

    /** Id to digest, in the order of {@code truth}. */
    protected static Map<String, String> byId(List<Truth> truth) {
        Map<String, String> map = new LinkedHashMap<>();
        truth.forEach(t -> map.put(t.id(), t.digest()));
        return map;
    }

    /** Id to the fixture's digest of each indexed source. */
    protected final Map<String, String> digests(Map<String, Map<String, Object>> indexed) {
        Map<String, String> digests = new LinkedHashMap<>();
        indexed.forEach((id, source) -> digests.put(id, fixture.digestOfIndexed(source)));
        return digests;
    }

    @Test
    void theFixtureIsFoundByServiceLoaderUnderItsType() {
        assertThat(ServiceLoader.load(SourceFixture.class).stream().map(p -> p.get().type()))
                .containsExactly(fixture.type());
    }

    @Test
    void theGroundTruthIsEveryDocumentInUnsignedUtf8OrderOfIdAndEqualsTheOracle() throws Exception {
        List<Truth> truth = truth();
        assertThat(truth).hasSize(count());
        for (int i = 1; i < truth.size(); i++) {
            byte[] previous = truth.get(i - 1).id().getBytes(StandardCharsets.UTF_8);
            byte[] current = truth.get(i).id().getBytes(StandardCharsets.UTF_8);
            assertThat(Arrays.compareUnsigned(previous, current)).as("%s < %s", truth.get(i - 1).id(), truth.get(i).id())
                    .isNegative();
        }
        assertThat(digests(indexedSources())).isEqualTo(byId(truth));
    }

    @Test
    void theDigestReadsOnlyTheDigestFields() throws Exception {
        List<String> fields = fixture.digestFields();
        assertThat(fields).isNotEmpty().doesNotHaveDuplicates();
        // The harness fetches only these fields from the index, and an index holds fields the digest must ignore.
        indexedSources().forEach((id, source) -> {
            String digest = fixture.digestOfIndexed(source);
            Map<String, Object> fetched = new LinkedHashMap<>();
            fields.stream().filter(source::containsKey).forEach(f -> fetched.put(f, source.get(f)));
            assertThat(fixture.digestOfIndexed(fetched)).as(id).isEqualTo(digest);
            Map<String, Object> more = new LinkedHashMap<>(source);
            more.put("_unrelated_field_", List.of(1, "x"));
            assertThat(fixture.digestOfIndexed(more)).as(id).isEqualTo(digest);
        });
    }

    @Test
    void aMutationAddsUpdatesAndDeletesDistinctDocumentsAndTheOracleFollows() throws Exception {
        Map<String, String> before = truthById();

        Mutation m = fixture.mutate(ADDS, UPDATES, DELETES);

        assertThat(m.added()).hasSize(ADDS).doesNotHaveDuplicates().doesNotContainAnyElementsOf(before.keySet());
        assertThat(m.updated()).hasSize(UPDATES).doesNotHaveDuplicates().allSatisfy(id -> assertThat(before).containsKey(id));
        assertThat(m.deleted()).hasSize(DELETES).doesNotHaveDuplicates().allSatisfy(id -> assertThat(before).containsKey(id));
        Set<String> touched = new HashSet<>(m.updated());
        touched.addAll(m.deleted());
        assertThat(touched).as("updated and deleted are distinct").hasSize(UPDATES + DELETES);

        Map<String, String> after = truthById();
        int size = count() + ADDS - DELETES;
        assertThat(after).hasSize(size).containsKeys(m.added().toArray(String[]::new));
        m.updated().forEach(id -> assertThat(after.get(id)).as(id).isNotNull().isNotEqualTo(before.get(id)));
        m.deleted().forEach(id -> assertThat(after).doesNotContainKey(id));
        long unchanged = before.keySet().stream().filter(id -> !touched.contains(id))
                .filter(id -> before.get(id).equals(after.get(id))).count();
        assertThat(unchanged).isEqualTo(count() - UPDATES - DELETES);
        assertThat(digests(indexedSources())).isEqualTo(after);
        assertThat(fixture.readAllWithOwnDriver()).isEqualTo(size);
    }

    @Test
    void loadingAgainReplacesWhatWasThereTheSameWayEachTime() throws Exception {
        Map<String, String> first = truthById();
        fixture.mutate(ADDS, UPDATES, DELETES);

        fixture.load(count());
        assertThat(truthById()).isEqualTo(first);

        fixture.load(500);
        assertThat(truth()).hasSize(500);
        assertThat(fixture.readAllWithOwnDriver()).isEqualTo(500);
    }

    @Test
    void loadsWhatMakeFtestLoads() throws Exception {
        fixture.load(FTEST_SIZE);
        long truth = 0;
        for (var it = fixture.groundTruth(); it.hasNext(); it.next()) {
            truth++;
        }
        assertThat(truth).isEqualTo(FTEST_SIZE);
        assertThat(fixture.readAllWithOwnDriver()).isEqualTo(FTEST_SIZE);
    }
}
