package io.connectors.source.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connectors.source.postgresql.PgFixture.Table;
import io.connectors.spi.SourceContext;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.config.SourceConfig;
import io.connectors.spi.rules.SyncRules;
import io.connectors.testkit.contract.DeferredDocuments;
import io.connectors.testkit.functional.SourceFixture.Mutation;
import io.connectors.testkit.functional.SourceFixture.Truth;
import io.connectors.testkit.functional.SourceFixtureTest;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fixture of {@code make ftest NAME=postgresql} against a real PostgreSQL ({@link PgBackend}): its tables, its
 * ids, its ground truth (order and digests, checked against the rows as a faithful source would index them), its
 * mutations and its reload.
 */
class PgFixtureTest extends SourceFixtureTest<PgFixture> {
    private static final int COUNT = 3_000;
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private PgBackend backend;

    @Override
    protected PgFixture createFixture() {
        return new PgFixture();
    }

    @Override
    protected int count() {
        return COUNT;
    }

    @Override
    protected Map<String, Map<String, Object>> indexedSources() {
        return indexed();
    }

    @Override
    protected void afterClose(PgFixture closed) {
        assertThat(backend.server().databases()).doesNotContain(backend.database());
    }

    @BeforeAll
    void backend() throws Exception {
        backend = fixture().backend();
    }

    /**
     * Every row as a faithful source indexes it, mapped here independently of the fixture: its columns (through
     * {@code to_jsonb}, read back by Jackson as the harness reads {@code _source}) plus {@code pg_table}; by id, the
     * id built from the key columns' text.
     */
    private Map<String, Map<String, Object>> indexed() {
        Map<String, Map<String, Object>> rows = new HashMap<>();
        for (Table table : Table.values()) {
            String keys = table.key.stream().map(k -> k + "::text").collect(Collectors.joining(", "));
            backend.query("SELECT to_jsonb(t)::text, ARRAY[" + keys + "] FROM " + table.qualified() + " t", row -> {
                Map<String, Object> source = parse(row.get(0, String.class));
                source.put("pg_table", table.qualified());
                return rows.put(PgFixture.id(table.qualified(), row.get(1, String[].class)), source);
            });
        }
        return rows;
    }

    private static Map<String, Object> parse(String json) {
        try {
            return JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() { });
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, String> indexedDigests() {
        return digests(indexed());
    }

    /** The ids of rows 1 to n of each table, as the fixture's formulas give them. */
    private static Set<String> expectedIds(int count) {
        int[] sizes = PgFixture.split(count);
        Set<String> ids = new HashSet<>();
        for (Table table : Table.values()) {
            for (int i = 1; i <= sizes[table.ordinal()]; i++) {
                ids.add(PgFixture.id(table, i));
            }
        }
        return ids;
    }

    /** Reads the fixture with a source of its own, closed afterwards. */
    private <T> T withSource(Function<PgDataSource, T> read) {
        PgDataSource source = (PgDataSource) new PgDataSourceProvider().create(
                SourceConfig.from(PgConfig.FIELDS, fixture().connectorConfiguration()), new SourceContext("fixture-test"));
        try {
            return read.apply(source);
        } finally {
            source.close().block(WAIT);
        }
    }

    private List<SourceDocument> list(PgDataSource source, SyncRules rules) {
        return source.getDocs(rules).collectList().block(WAIT);
    }

    /** Id to the fields, in their order, of built documents. */
    private static Map<String, List<Map.Entry<String, Object>>> fieldsById(List<SourceDocument> docs) {
        Map<String, List<Map.Entry<String, Object>>> out = new TreeMap<>();
        docs.forEach(d -> out.put(d.id(), List.copyOf(d.fields().entrySet())));
        return out;
    }

    private static Map<String, String> versionsById(List<SourceDocument> docs) {
        return docs.stream().collect(Collectors.toMap(SourceDocument::id, d -> d.version().orElseThrow()));
    }

    @Test
    void fetchBuildsForEveryRowTheFieldsAWholeRowReadBuilds() throws Exception {
        // Whole rows are still read as the pages of every table used to read them (to_json per page) for the queries
        // of advanced rules: the same tables as queries, under the tables' names, are the reference.
        List<Map<String, Object>> queries = new ArrayList<>();
        for (Table table : Table.values()) {
            queries.add(Map.of("table", table.qualified(), "query", "SELECT * FROM " + table.qualified(),
                    "key", table.key));
        }
        SyncRules wholeRows = new SyncRules(List.of(), Map.of("queries", queries));
        withSource(source -> {
            List<SourceDocument> listed = list(source, SyncRules.NONE);
            assertThat(listed).hasSize(COUNT).allMatch(SourceDocument::isDeferred);
            List<SourceDocument> built = DeferredDocuments.build(source, listed, WAIT);
            assertThat(versionsById(built)).isEqualTo(versionsById(listed));

            List<SourceDocument> whole = list(source, wholeRows);
            assertThat(whole).hasSize(COUNT).noneMatch(SourceDocument::isDeferred);
            Map<String, List<Map.Entry<String, Object>>> expected = fieldsById(whole);
            Map<String, List<Map.Entry<String, Object>>> actual = fieldsById(built);
            assertThat(actual.keySet()).isEqualTo(expected.keySet());
            expected.forEach((id, fields) -> assertThat(actual.get(id)).as(id).isEqualTo(fields));
            return null;
        });
    }

    @Test
    void afterAMutationOnlyTheUpdatedAndAddedRowsHaveNewVersionsAndTheDeletedOnesAreNotFetched() throws Exception {
        List<SourceDocument> before = withSource(source -> list(source, SyncRules.NONE));
        Mutation m = fixture().mutate(30, 40, 20);
        Map<String, String> after = withSource(source -> versionsById(list(source, SyncRules.NONE)));

        Map<String, String> old = versionsById(before);
        Set<String> changed = after.keySet().stream().filter(id -> !after.get(id).equals(old.get(id)))
                .collect(Collectors.toSet());
        Set<String> written = new HashSet<>(m.added());
        written.addAll(m.updated());
        assertThat(changed).isEqualTo(written);
        assertThat(old.keySet()).containsAll(m.deleted()).doesNotContainAnyElementsOf(m.added());
        assertThat(after.keySet()).doesNotContainAnyElementsOf(m.deleted());

        // The listing taken before the mutation, built after it: no deleted row, the updated ones as they are now.
        List<SourceDocument> built = withSource(source -> DeferredDocuments.build(source, before, WAIT));
        Map<String, String> builtVersions = versionsById(built);
        assertThat(builtVersions.keySet()).hasSize(COUNT - m.deleted().size()).doesNotContainAnyElementsOf(m.deleted());
        builtVersions.forEach((id, version) -> assertThat(version).as(id).isEqualTo(after.get(id)));
    }

    @Test
    void pointsTheSourceAtItsSchema() throws Exception {
        assertThat(fixture().supportsIncremental()).isTrue();
        Map<String, Object> configuration = fixture().connectorConfiguration();
        assertThat(configuration).containsEntry("host", backend.host())
                .containsEntry("port", backend.port())
                .containsEntry("database", backend.database())
                .containsEntry("user", backend.user())
                .containsEntry("schemas", List.of("ftest"))
                .containsEntry("cursor_column", "updated_at");
        assertThat(configuration.containsKey("password")).isEqualTo(backend.password() != null);
        assertThat(backend.database()).matches("ftest_[a-z0-9]{8}");
    }

    @Test
    void everyTableHasItsShareAKeyABodyAndACursorColumn() throws Exception {
        int[] sizes = PgFixture.split(COUNT);
        assertThat(Arrays.stream(sizes).sum()).isEqualTo(COUNT);
        assertThat(sizes).containsExactly(450, 900, 1_500, 150);
        for (Table table : Table.values()) {
            assertThat(backend.count("SELECT count(*) FROM " + table.qualified())).as(table.name)
                    .isEqualTo(sizes[table.ordinal()]);
            List<String> key = backend.query("SELECT a.attname FROM pg_index i JOIN LATERAL unnest(i.indkey)"
                    + " WITH ORDINALITY AS k(attnum, n) ON true JOIN pg_attribute a ON a.attrelid = i.indrelid"
                    + " AND a.attnum = k.attnum WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY k.n",
                    row -> row.get(0, String.class), table.qualified());
            assertThat(key).as(table.name).isEqualTo(table.key);
            List<String> columns = backend.query("SELECT column_name || ' ' || data_type || ' ' || is_nullable"
                    + " || ' ' || coalesce(column_default, '-') FROM information_schema.columns"
                    + " WHERE table_schema = 'ftest' AND table_name = $1 AND column_name IN ('body', 'updated_at')"
                    + " ORDER BY column_name", row -> row.get(0, String.class), table.name);
            assertThat(columns).as(table.name).containsExactly("body text NO -",
                    "updated_at timestamp with time zone NO now()");
        }
        assertThat(backend.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'ftest'"
                + " ORDER BY 1", row -> row.get(0, String.class))).containsExactly("customers", "order_lines",
                "orders", "pages");
        // The identities go on after the loaded keys.
        assertThat(backend.count("INSERT INTO ftest.customers (name, body) VALUES ('x', 'y') RETURNING id"))
                .isEqualTo(sizes[0] + 1);
    }

    @Test
    void theGroundTruthHasTheFormulasIdsSomeOrderedDifferentlyAsUtf16() throws Exception {
        List<Truth> truth = truth();
        boolean utf16OrderDiffers = false;
        for (int i = 1; i < truth.size(); i++) {
            utf16OrderDiffers |= truth.get(i - 1).id().compareTo(truth.get(i).id()) > 0;
        }
        assertThat(utf16OrderDiffers).as("some ids sort differently as UTF-16 (outside the BMP)").isTrue();
        assertThat(truth).extracting(Truth::id).containsExactlyInAnyOrderElementsOf(expectedIds(COUNT));
        assertThat(new HashSet<>(truth.stream().map(Truth::digest).toList())).hasSize(COUNT)
                .allSatisfy(d -> assertThat(d).matches("[0-9a-f]{64}"));
    }

    @Test
    void idsAreTheKeysTextPercentEncodedAndCommaJoined() throws Exception {
        Set<String> ids = truthById().keySet();
        assertThat(ids).contains("ftest.customers/42", "ftest.orders/42", "ftest.order_lines/1,1",
                "ftest.order_lines/2,2", "ftest.order_lines/4,4", "ftest.order_lines/40,3",
                // /100% uptime/getting-started-4 and /a,b testing/getting-started-3
                "ftest.pages/%2F100%25 uptime%2Fgetting-started-4", "ftest.pages/%2Fa%2Cb testing%2Fgetting-started-3",
                "ftest.pages/%2Fguides%2Fhow-to%2Finstall-14", "ftest.pages/%2F𝄞-score%2Fgetting-started-7");
        assertThat(PgFixture.id("s.t", "a/b,c%d", "x")).isEqualTo("s.t/a%2Fb%2Cc%25d,x");
        assertThat(PgFixture.encoded("100%2F")).isEqualTo("100%252F");
        assertThat(PgFixture.encoded("é 東京?&=+")).isEqualTo("é 東京?&=+");

        // The pages' ids are their paths as stored, encoded; each decodes back to its path.
        Set<String> paths = new HashSet<>(backend.query("SELECT path FROM ftest.pages", row -> row.get(0, String.class)));
        Set<String> decoded = ids.stream().filter(id -> id.startsWith("ftest.pages/"))
                .map(id -> id.substring("ftest.pages/".length()).replace("%2F", "/").replace("%2C", ",")
                        .replace("%25", "%"))
                .collect(Collectors.toSet());
        assertThat(decoded).isEqualTo(paths);

        // One to four lines per order.
        assertThat(backend.query("SELECT n, count(*) FROM (SELECT order_id, count(*) AS n FROM ftest.order_lines"
                + " GROUP BY order_id) o GROUP BY n ORDER BY n", row -> row.get(0, Long.class)))
                .containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void rowsHaveRealisticContent() throws Exception {
        int[] sizes = backend.query("SELECT octet_length(body) FROM (SELECT body FROM ftest.customers UNION ALL"
                + " SELECT body FROM ftest.orders UNION ALL SELECT body FROM ftest.order_lines UNION ALL"
                + " SELECT body FROM ftest.pages) b ORDER BY 1", row -> row.get(0, Integer.class))
                .stream().mapToInt(Integer::intValue).toArray();
        assertThat(sizes[0]).isBetween(60, 150);
        assertThat(sizes[sizes.length - 1]).isBetween(4_000, 16_000);
        assertThat(sizes[sizes.length / 2]).isBetween(300, 1_500);
        long nonAscii = backend.count("SELECT count(*) FROM ftest.customers WHERE body ~ '[^\\x01-\\x7f]'");
        assertThat(nonAscii).isBetween(50L, 449L);
        assertThat(backend.count("SELECT count(*) FROM ftest.orders WHERE body LIKE E'%\\n\\n%'")).isPositive();
        assertThat(backend.count("SELECT count(*) FROM ftest.order_lines WHERE body LIKE '%\"quoted\"%'")).isPositive();
        assertThat(backend.count("SELECT count(*) FROM ftest.order_lines WHERE strpos(body, chr(92)) > 0")).isPositive();
        assertThat(backend.count("SELECT count(*) FROM ftest.order_lines WHERE strpos(body, chr(9)) > 0")).isPositive();

        // Nulls, empty arrays, non-ASCII names, numbers a double cannot hold, every status.
        assertThat(backend.count("SELECT count(*) FROM ftest.customers WHERE email IS NULL")).isPositive();
        assertThat(backend.count("SELECT count(*) FROM ftest.customers WHERE tags IS NULL")).isPositive();
        assertThat(backend.count("SELECT count(*) FROM ftest.customers WHERE tags = '{}'")).isPositive();
        assertThat(backend.count("SELECT count(*) FROM ftest.customers WHERE cardinality(tags) = 4")).isPositive();
        assertThat(backend.count("SELECT count(*) FROM ftest.customers WHERE profile IS NULL")).isPositive();
        assertThat(backend.count("SELECT count(*) FROM ftest.customers WHERE name = '田中 花子'")).isPositive();
        assertThat(backend.count("SELECT count(*) FROM ftest.customers WHERE (profile->>'account')::numeric"
                + " > 9007199254740992")).isEqualTo(backend.count("SELECT count(*) FROM ftest.customers"
                + " WHERE profile IS NOT NULL"));
        assertThat(backend.count("SELECT count(DISTINCT status) FROM ftest.orders")).isEqualTo(6);
        assertThat(backend.count("SELECT count(*) FROM ftest.orders WHERE shipped_on IS NULL")).isPositive();
        assertThat(backend.count("SELECT count(*) FROM ftest.orders WHERE total::text LIKE '%0'")).isPositive();
        assertThat(backend.count("SELECT count(*) FROM ftest.order_lines WHERE discount IS NULL")).isPositive();
        assertThat(backend.count("SELECT count(*) FROM ftest.order_lines WHERE discount IS NOT NULL")).isPositive();
        assertThat(backend.count("SELECT count(*) FROM ftest.pages WHERE word_count IS NULL")).isPositive();

        // The cursor column: in the past, with ties (rows changed in the same second).
        assertThat(backend.count("SELECT count(*) FROM ftest.orders WHERE updated_at > now()")).isZero();
        assertThat(backend.count("SELECT count(DISTINCT updated_at) FROM ftest.order_lines")).isBetween(1_000L, 1_499L);
    }

    @Test
    void aReloadHoldsTheFormulasIdsAndAddsAfterThem() throws Exception {
        fixture().load(500);
        assertThat(truth()).extracting(Truth::id).containsExactlyInAnyOrderElementsOf(expectedIds(500));
        Mutation m = fixture().mutate(4, 0, 0);
        int[] sizes = PgFixture.split(500);
        assertThat(m.added()).containsExactly("ftest.customers/" + (sizes[0] + 1), "ftest.orders/" + (sizes[1] + 1),
                PgFixture.id(Table.ORDER_LINES, sizes[2] + 1), PgFixture.id(Table.PAGES, sizes[3] + 1));
        assertThatThrownBy(() -> fixture().load(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void mutationsAreSpreadOverTheTablesAndFoundByTheCursorColumn() throws Exception {
        OffsetDateTime loaded = backend.query("SELECT max(updated_at) FROM (SELECT updated_at FROM ftest.customers"
                + " UNION ALL SELECT updated_at FROM ftest.orders UNION ALL SELECT updated_at FROM ftest.order_lines"
                + " UNION ALL SELECT updated_at FROM ftest.pages) u", row -> row.get(0, OffsetDateTime.class)).get(0);

        Mutation m = fixture().mutate(201, 122, 131);

        for (List<String> ids : List.of(m.added(), m.updated(), m.deleted())) {
            Map<String, Long> perTable = ids.stream().collect(Collectors.groupingBy(id -> id.substring(0, id.indexOf('/')),
                    Collectors.counting()));
            assertThat(perTable).as("spread").hasSize(4);
            assertThat(perTable.values()).allSatisfy(n -> assertThat(n).isBetween(ids.size() / 4L, ids.size() / 4L + 1));
        }

        Map<String, String> after = truthById();
        assertThat(after).hasSize(COUNT + 201 - 131).containsKeys(m.added().toArray(String[]::new));
        assertThat(indexedDigests()).isEqualTo(after);

        // What an incremental sync by updated_at finds: exactly the updates and the additions.
        long changed = 0;
        for (Table table : Table.values()) {
            changed += backend.query("SELECT count(*) FROM " + table.qualified() + " WHERE updated_at > $1",
                    row -> row.get(0, Long.class), loaded).get(0);
        }
        assertThat(changed).isEqualTo(122 + 201);
        assertThat(backend.count("SELECT count(*) FROM ftest.pages WHERE title LIKE '% (v2)'")).isEqualTo(
                m.updated().stream().filter(id -> id.startsWith("ftest.pages/")).count());
        assertThat(backend.count("SELECT count(*) FROM ftest.orders WHERE body LIKE 'Order %, revision 1. %'"))
                .isEqualTo(m.updated().stream().filter(id -> id.startsWith("ftest.orders/")).count());

        // A second round touches only live rows, and revises a row again when it picks it again.
        Mutation again = fixture().mutate(10, 2_000, 50);
        Set<String> live = new HashSet<>(after.keySet());
        assertThat(again.updated()).allSatisfy(id -> assertThat(live).contains(id));
        assertThat(again.deleted()).allSatisfy(id -> assertThat(live).contains(id));
        assertThat(again.updated()).containsAnyElementsOf(m.updated());
        assertThat(backend.count("SELECT count(*) FROM ftest.orders WHERE body LIKE 'Order %, revision 2. %'"))
                .isPositive();
        assertThat(truthById()).hasSize(COUNT + 201 - 131 + 10 - 50);
        assertThat(indexedDigests()).isEqualTo(truthById());
    }

    @Test
    void aMutationCannotTouchMoreRowsThanThereAre() throws Exception {
        assertThatThrownBy(() -> fixture().mutate(0, COUNT, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> fixture().mutate(-1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(fixture().mutate(0, COUNT - 10, 10).deleted()).hasSize(10);
        assertThat(fixture().readAllWithOwnDriver()).isEqualTo(COUNT - 10);
    }

    @Test
    void sharesAreRoundRobinWithinWhatEachTableHas() throws Exception {
        assertThat(PgFixture.spread(10, new int[] {100, 100, 100, 100})).containsExactly(3, 3, 2, 2);
        assertThat(PgFixture.spread(10, new int[] {1, 100, 0, 100})).containsExactly(1, 5, 0, 4);
        assertThat(PgFixture.spread(0, new int[] {0, 0, 0, 0})).containsExactly(0, 0, 0, 0);
        assertThatThrownBy(() -> PgFixture.spread(5, new int[] {1, 1, 1, 1})).isInstanceOf(IllegalArgumentException.class);
        assertThat(IntStream.of(PgFixture.split(1)).sum()).isEqualTo(1);
        assertThat(IntStream.of(PgFixture.split(1_000_000)).boxed()).containsExactly(150_000, 300_000, 500_000, 50_000);
    }

    @Test
    void theDigestIsOfTheTableAndTheBodyAsIndexed() throws Exception {
        assertThat(fixture().digestFields()).containsExactly("pg_table", "body");
        assertThat(PgFixture.digest("a", "b")).isEqualTo("7e18f737311b2dc3b2f269dd78396b0351f14fb66efa879f768cb23181883c78");
        assertThat(PgFixture.digest("ftest.customers", "")).isEqualTo(
                "ac18d250f398fad508590e1bf417f62d865cbdc393ff828acf9f8817701549d5");
        Map<String, Object> source = new LinkedHashMap<>(indexed().get("ftest.customers/7"));
        String digest = truthById().get("ftest.customers/7");
        assertThat(fixture().digestOfIndexed(source)).isEqualTo(digest);
        source.put("unrelated", List.of(1, 2));
        assertThat(fixture().digestOfIndexed(source)).isEqualTo(digest);
        source.put("pg_table", "ftest.orders");
        assertThat(fixture().digestOfIndexed(source)).isNotEqualTo(digest);
        source.put("pg_table", "ftest.customers");
        source.put("body", source.get("body") + " ");
        assertThat(fixture().digestOfIndexed(source)).isNotEqualTo(digest);
        source.remove("body");
        assertThat(fixture().digestOfIndexed(source)).isEqualTo("unreadable: pg_table String, body missing");
        source.put("body", 42);
        assertThat(fixture().digestOfIndexed(source)).isEqualTo("unreadable: pg_table String, body Integer");
    }

    @Test
    void aGroundTruthLeftHalfReadIsClosedByTheNextLoad() throws Exception {
        Iterator<Truth> truth = fixture().groundTruth();
        assertThat(truth.next().id()).isEqualTo("ftest.customers/1");
        fixture().load(10);
        assertThat(truth.hasNext()).isFalse();
        assertThat(truth()).hasSize(10);
    }
}
