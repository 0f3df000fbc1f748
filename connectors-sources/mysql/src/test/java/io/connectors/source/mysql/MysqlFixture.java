package io.connectors.source.mysql;

import io.connectors.testkit.functional.FixtureSampling;
import io.connectors.testkit.functional.RealtimeBackend;
import io.connectors.testkit.functional.SourceFixture;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The MySQL source's fixture for {@code make ftest NAME=mysql} and {@code make bench NAME=mysql}: four tables in a
 * database of its own ({@code ftest_<8 letters>}, utf8mb4, on {@link MysqlServer#shared()}), their rows generated
 * here deterministically from their number {@code i} and revision and sent as multi-row {@code INSERT}s of about
 * {@value #BATCH_BYTES} bytes, made as they are sent, {@value #LOAD_CONCURRENCY} at a time (100,000 rows load in about
 * 7 s, 1,000,000 in about 40 s, on two busy cores; the ground truth of a million takes about 9 s):
 * <ul>
 *   <li>{@code customers}: a {@code BIGINT UNSIGNED} key counting down from 2<sup>64</sup>-1 (most above
 *       2<sup>63</sup>-1), names and emails (some non-ASCII, some NULL), a JSON profile (some NULL); 15% of the
 *       rows;</li>
 *   <li>{@code orders}: a {@code BIGINT} key, a {@code DECIMAL(12,2)} total, an ENUM status, a {@code CHAR(3)}
 *       currency, a {@code DATE} (NULL until shipped); 30%;</li>
 *   <li>{@code order_lines}: a composite key {@code (order_id, line_no)}, three lines per order, a {@code FLOAT}
 *       discount (mostly NULL); 50%;</li>
 *   <li>{@code pages}: a {@code VARCHAR(255)} key, a path such as {@code /100% uptime/backup, restore-7} whose id needs
 *       {@code %}, {@code ,} and {@code /} encoded, some non-ASCII (in and outside the Basic Multilingual Plane, emoji
 *       included, so UTF-8 and UTF-16 order differ); 5%.</li>
 * </ul>
 * Every table has {@code body TEXT NOT NULL} (60 bytes to about 7 KB: sentences with newlines, quotes, backslashes,
 * tabs, emoji) and {@code updated_at DATETIME(6) NOT NULL}, set by the load to up to 28 hours before it, and by every
 * later change to the time of that change ({@code NOW(6)}, sessions in UTC), so that an incremental sync by
 * {@code updated_at} finds exactly the rows updated and added since.
 *
 * <p>A row's id is the source's: {@code <database>.<table>/<key>}, the key being the key columns' values as
 * {@code CAST(c AS CHAR)} joined with {@code ,}, each with {@code %}, {@code ,} and {@code /} percent-encoded. Its
 * digest is the SHA-256 of {@code mysql_table + "\n" + body}, computed by the server for the ground truth and from
 * the indexed {@code mysql_table} and {@code body} by {@link #digestOfIndexed}.
 */
public final class MysqlFixture implements SourceFixture, RealtimeBackend {
    static final String CURSOR_COLUMN = "updated_at";
    static final String TABLE_FIELD = "mysql_table";
    static final int LOAD_CONCURRENCY = 2;
    /** About this many bytes of SQL per {@code INSERT}: well under {@code max_allowed_packet} (16 MB by default). */
    static final int BATCH_BYTES = 2_000_000;
    static final int TRUTH_PAGE = 10_000;
    static final int SNIPPETS = 256;
    static final Duration LONG = Duration.ofHours(1);

    private static final long SEED = 0x5EED_F1C5_3306L;
    /** The customers' keys count down from here: {@code 18446744073709551615 - 7 (i - 1)}. */
    static final String UNSIGNED_MAX = "18446744073709551615";

    /** The tables, in the order of their share of a load. */
    enum Table {
        CUSTOMERS("customers", "Customer", List.of("id")),
        ORDERS("orders", "Order", List.of("id")),
        ORDER_LINES("order_lines", "Order line", List.of("order_id", "line_no")),
        PAGES("pages", "Page", List.of("path"));

        final String name;
        final String kind;
        final List<String> key;

        Table(String name, String kind, List<String> key) {
            this.name = name;
            this.kind = kind;
            this.key = key;
        }
    }

    static final String[][] PEOPLE = {{"Ada Lovelace", "ada.lovelace"}, {"Alan Turing", "alan.turing"},
        {"Grace Hopper", "grace.hopper"}, {"Edsger Dijkstra", "edsger.dijkstra"}, {"Barbara Liskov", "barbara.liskov"},
        {"Donald Knuth", "donald.knuth"}, {"Frances Allen", "frances.allen"}, {"Ken Thompson", "ken.thompson"},
        {"Zoë Müller", "zoe.mueller"}, {"José Núñez", "jose.nunez"}, {"Søren Kierkegaard", "soren.kierkegaard"},
        {"Łukasz Nowak", "lukasz.nowak"}, {"田中 花子", "hanako.tanaka"}, {"Ελένη Παππά", "eleni.pappa"},
        {"Seán O'Brien", "sean.obrien"}, {"Nguyễn Văn An 🎉", "an.nguyen"}};
    static final String[] DOMAINS = {"example.com", "example.org", "mail.example.net", "shop.example.co.uk"};
    static final String[] TIERS = {"free", "silver", "gold", "platinum"};
    static final String[] CITIES = {"Amsterdam", "Berlin", "Zürich", "São Paulo", "Tokyo", "Montréal", "Nairobi",
        "Kraków", "Reykjavík", "Austin"};
    static final String[] STATUSES = {"pending", "paid", "shipped", "delivered", "cancelled", "refunded"};
    static final String[] CURRENCIES = {"EUR", "USD", "GBP", "JPY", "CHF"};
    static final String[] LANGUAGES = {"en", "fr", "de", "ja", "el", "pt-BR"};
    /** Folders of the pages' paths: separators, percent signs, non-ASCII (𝄞 and 🎉 are outside the BMP). */
    static final String[] SECTIONS = {"docs", "blog", "guides/how-to", "a,b testing", "100% uptime", "café", "東京",
        "𝄞-score", "ｆｕｌｌ-width", "q&a", "🎉 launches", "release notes"};
    static final String[] SLUGS = {"getting-started", "install", "configure", "faq", "changelog", "tuning",
        "backup, restore", "50%-off", "über", "résumé", "データ", "mañana"};
    private static final String[] WORDS = ("the of and to in is that for it as was with be by on not he this are or his"
            + " from at which but have an they you were her she there been one all we their has would when if so no"
            + " more will can time only other new some could these two may first then do any like my now over such our"
            + " man me even most made after also did many before must through back years where much your way well down"
            + " should because each just those people how too little state good very make world still own see men work"
            + " order customer invoice shipment refund discount cart checkout warehouse parcel delivery return stock"
            + " price tax total payment card account address profile page section release index query replica")
            .split(" ");
    private static final String[] ODD_WORDS = {"café", "naïve", "Zürich", "façade", "déjà-vu", "東京", "データ",
        "ñandú", "Ωmega", "𝄞", "🎉", "😀👍🏽", "\"quoted\"", "it's", "C:\\temp\\x", "<b>bold</b>", "{\"json\": 1}",
        "a\tb", "50%", "a,b", "and/or"};
    private static final String[] SNIPPET_TEXTS = snippets();

    private final Map<Table, TableState> tables = new EnumMap<>(Table.class);
    private final Set<TruthCursor> cursors = Collections.newSetFromMap(new IdentityHashMap<>());
    private MysqlServer.Database database;
    private MysqlServer.Database zoo;
    private int customersLoaded;
    private int rounds;
    private int truths;

    public MysqlFixture() {
        // ServiceLoader instantiates every fixture: nothing happens before start().
    }

    /** The rows of each table and which are live; the numbers {@code i} start at 1. */
    private static final class TableState {
        final BitSet live = new BitSet();
        int next = 1;
        final Map<Integer, Integer> revisions = new HashMap<>();

        int live() {
            return live.cardinality();
        }
    }

    @Override
    public String type() {
        return MysqlDataSourceProvider.TYPE;
    }

    @Override
    public void start(Path workDir) {
        database = MysqlServer.shared().create("ftest");
    }

    /**
     * A database of its own on this JVM's private MariaDB with the binlog on ({@link MysqlServer#binlog()}, row-based,
     * full row images): what a connector with {@code realtime: true} follows. It is dropped at {@link #close}; the
     * instance stops when the JVM exits.
     */
    @Override
    public void startForRealtime(Path workDir) {
        database = MysqlServer.binlog().create("ftest");
    }

    /** The fixture's database, for the tests. */
    MysqlServer.Database database() {
        return database;
    }

    /** {@code <database>.<table>}: the table's {@code mysql_table}, and the start of its ids. */
    String qualified(Table table) {
        return database.name() + "." + table.name;
    }

    /**
     * Drops the tables and creates them again with {@code count} rows, inserted without secondary work (the keys are
     * the tables' only indexes), then analyzed.
     */
    @Override
    public void load(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1, got " + count);
        }
        closeCursors();
        int[] sizes = split(count);
        customersLoaded = sizes[Table.CUSTOMERS.ordinal()];
        rounds = 0;
        tables.clear();
        List<String> ddl = new ArrayList<>();
        for (Table table : Table.values()) {
            ddl.add("DROP TABLE IF EXISTS " + MysqlServer.quoted(table.name));
            ddl.add("CREATE TABLE " + MysqlServer.quoted(table.name) + " (" + ddl(table) + ") ENGINE=InnoDB"
                    + " DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin");
            TableState state = new TableState();
            int n = sizes[table.ordinal()];
            state.live.set(1, n + 1);
            state.next = n + 1;
            tables.put(table, state);
        }
        database.sql(ddl.toArray(String[]::new));

        long inserted = 0;
        for (Table table : Table.values()) {
            inserted += run(inserts(table, range(1, sizes[table.ordinal()]), null, null, false));
        }
        if (inserted != count) {
            throw new IllegalStateException("inserted " + inserted + " rows, not " + count);
        }
        database.sql("ANALYZE TABLE " + Stream.of(Table.values()).map(t -> MysqlServer.quoted(t.name))
                .collect(Collectors.joining(", ")));
    }

    /** How a load of {@code count} rows is shared: customers 15%, orders 30%, pages 5%, order lines the rest. */
    static int[] split(int count) {
        int[] sizes = new int[Table.values().length];
        sizes[Table.CUSTOMERS.ordinal()] = (int) (count * 15L / 100);
        sizes[Table.ORDERS.ordinal()] = (int) (count * 30L / 100);
        sizes[Table.PAGES.ordinal()] = count / 20;
        sizes[Table.ORDER_LINES.ordinal()] = count - sizes[0] - sizes[1] - sizes[Table.PAGES.ordinal()];
        return sizes;
    }

    private static String ddl(Table table) {
        String columns = switch (table) {
            case CUSTOMERS -> "id BIGINT UNSIGNED NOT NULL, name VARCHAR(100) NOT NULL, email VARCHAR(200) NULL,"
                    + " created_at DATETIME(6) NOT NULL, profile JSON NULL,";
            case ORDERS -> "id BIGINT NOT NULL, customer_id BIGINT UNSIGNED NOT NULL, total DECIMAL(12,2) NOT NULL,"
                    + " currency CHAR(3) NOT NULL, status ENUM(" + Arrays.stream(STATUSES).map(MysqlFixture::literal)
                    .collect(Collectors.joining(", ")) + ") NOT NULL, placed_at TIMESTAMP(3) NOT NULL"
                    + " DEFAULT '2000-01-01 00:00:00', shipped_on DATE NULL,";
            case ORDER_LINES -> "order_id BIGINT NOT NULL, line_no INT NOT NULL, sku VARCHAR(20) NOT NULL,"
                    + " qty SMALLINT UNSIGNED NOT NULL, price DECIMAL(10,2) NOT NULL, discount FLOAT NULL,";
            case PAGES -> "path VARCHAR(255) NOT NULL, title VARCHAR(200) NOT NULL, lang VARCHAR(8) NOT NULL,"
                    + " published BIT(1) NOT NULL, word_count INT NULL,";
        };
        return columns + " body TEXT NOT NULL, " + CURSOR_COLUMN + " DATETIME(6) NOT NULL, PRIMARY KEY ("
                + String.join(", ", table.key) + ")";
    }

    /** The columns an insert writes, in order. */
    private static List<String> columns(Table table) {
        List<String> names = new ArrayList<>(switch (table) {
            case CUSTOMERS -> List.of("id", "name", "email", "created_at", "profile");
            case ORDERS -> List.of("id", "customer_id", "total", "currency", "status", "placed_at", "shipped_on");
            case ORDER_LINES -> List.of("order_id", "line_no", "sku", "qty", "price", "discount");
            case PAGES -> List.of("path", "title", "lang", "published", "word_count");
        });
        names.add("body");
        names.add(CURSOR_COLUMN);
        return names;
    }

    /** The columns an update changes (besides {@code body} and the cursor column). */
    private static List<String> changing(Table table) {
        return switch (table) {
            case CUSTOMERS -> List.of("profile");
            case ORDERS -> List.of("total", "status", "shipped_on");
            case ORDER_LINES -> List.of("qty");
            case PAGES -> List.of("title", "published", "word_count");
        };
    }

    /** The key values of row {@code i} of {@code table}, as SQL literals (and as the server writes them as text). */
    List<String> key(Table table, int i) {
        return switch (table) {
            case CUSTOMERS -> List.of(new java.math.BigInteger(UNSIGNED_MAX).subtract(java.math.BigInteger.valueOf(7L
                    * (i - 1))).toString());
            case ORDERS -> List.of(Integer.toString(i));
            case ORDER_LINES -> List.of(Integer.toString(1 + (i - 1) / 3), Integer.toString(1 + (i - 1) % 3));
            case PAGES -> List.of(path(i));
        };
    }

    /** Page {@code i}'s path: {@code /<section>/<slug>-<i>}. */
    static String path(int i) {
        return "/" + SECTIONS[i % SECTIONS.length] + "/" + SLUGS[(i / SECTIONS.length) % SLUGS.length] + "-" + i;
    }

    /** Row {@code i}'s id, as the source makes it. */
    String id(Table table, int i) {
        return id(qualified(table), key(table, i));
    }

    /** {@code target/k1,k2}, each key value with {@code %}, {@code ,} and {@code /} percent-encoded. */
    static String id(String target, List<String> key) {
        return target + "/" + key.stream().map(MysqlFixture::encoded).collect(Collectors.joining(","));
    }

    static String encoded(String keyValue) {
        return keyValue.replace("%", "%25").replace(",", "%2C").replace("/", "%2F");
    }

    /** A stream of numbers for row {@code i} of {@code table}: the same ones for every revision, or new ones. */
    private static SplittableRandom random(Table table, int i, int revision) {
        return new SplittableRandom(SEED ^ (table.ordinal() * 0x9E37_79B9_7F4A_7C15L) ^ ((long) i << 20) ^ revision);
    }

    /** Row {@code i} of {@code table} at {@code revision}, as SQL literals in the order of {@link #columns}. */
    private List<String> values(Table table, int i, int revision, String updatedAt) {
        SplittableRandom fixed = random(table, i, -1);
        SplittableRandom changing = random(table, i, revision);
        List<String> values = new ArrayList<>(key(table, i).stream().map(k -> table == Table.PAGES ? literal(k) : k)
                .toList());
        switch (table) {
            case CUSTOMERS -> {
                String[] person = PEOPLE[fixed.nextInt(PEOPLE.length)];
                values.add(literal(person[0]));
                values.add(fixed.nextInt(20) == 0 ? "NULL" : literal(person[1] + "." + i + "@"
                        + DOMAINS[fixed.nextInt(DOMAINS.length)]));
                values.add(literal(String.format(Locale.ROOT, "2021-01-01 00:00:00.%06d", fixed.nextInt(1_000_000)))
                        + " + INTERVAL " + (41L * i) + " SECOND");
                values.add(changing.nextInt(30) == 0 ? "NULL" : literal("{\"tier\": \"" + TIERS[changing.nextInt(4)]
                        + "\", \"score\": " + changing.nextInt(100_000) / 1000.0 + ", \"newsletter\": "
                        + changing.nextBoolean() + ", \"account\": " + (9_007_199_254_740_993L + i)
                        + ", \"address\": {\"city\": \"" + CITIES[fixed.nextInt(CITIES.length)] + "\", \"zip\": \""
                        + String.format(Locale.ROOT, "%05d", fixed.nextInt(100_000)) + "\"}, \"channels\": "
                        + (changing.nextInt(3) == 0 ? "[\"email\", \"sms\"]" : "[]") + "}"));
            }
            case ORDERS -> {
                values.add(Integer.toString(1 + fixed.nextInt(Math.max(1, customersLoaded))));
                values.add(String.format(Locale.ROOT, "%d.%02d", changing.nextInt(50_000), changing.nextInt(100)));
                values.add(literal(CURRENCIES[fixed.nextInt(CURRENCIES.length)]));
                values.add(literal(STATUSES[changing.nextInt(STATUSES.length)]));
                values.add("'2022-06-01 00:00:00' + INTERVAL " + (29L * i) + " SECOND + INTERVAL "
                        + fixed.nextInt(1000) + " * 1000 MICROSECOND");
                values.add(changing.nextInt(3) == 0 ? "'2022-06-01' + INTERVAL " + (i * 29L / 86_400 + changing.nextInt(10))
                        + " DAY" : "NULL");
            }
            case ORDER_LINES -> {
                values.add(literal(String.format(Locale.ROOT, "SKU-%06d", fixed.nextInt(100_000))));
                values.add(Integer.toString(1 + changing.nextInt(12)));
                values.add(String.format(Locale.ROOT, "%d.%02d", fixed.nextInt(1000), fixed.nextInt(100)));
                values.add(fixed.nextInt(5) == 0 ? Double.toString(fixed.nextInt(50) / 100.0) : "NULL");
            }
            case PAGES -> {
                String slug = SLUGS[(i / SECTIONS.length) % SLUGS.length];
                values.add(literal(Character.toUpperCase(slug.charAt(0)) + slug.substring(1).replace('-', ' ')
                        + (revision == 0 ? "" : " (v" + (revision + 1) + ")")));
                values.add(literal(LANGUAGES[fixed.nextInt(LANGUAGES.length)]));
                values.add(changing.nextInt(4) != 0 ? "b'1'" : "b'0'");
                values.add(changing.nextInt(10) == 0 ? "NULL" : Integer.toString(50 + changing.nextInt(2000)));
            }
            default -> throw new IllegalArgumentException(table.name());
        }
        values.add(literal(body(table, i, revision, changing)));
        values.add(updatedAt != null ? updatedAt : "NOW(6) - INTERVAL " + fixed.nextInt(100_000) + " SECOND");
        return values;
    }

    /** A body: a header naming the row and its revision, then two snippets. */
    private static String body(Table table, int i, int revision, SplittableRandom random) {
        return table.kind + " " + i + ", revision " + revision + ". " + SNIPPET_TEXTS[random.nextInt(SNIPPETS)]
                + (random.nextInt(3) == 0 ? "\n\n" + SNIPPET_TEXTS[random.nextInt(SNIPPETS)] : "");
    }

    /**
     * Multi-row {@code INSERT}s of rows {@code rows} of {@code table} ({@code revisions} null: revision 0), each about
     * {@value #BATCH_BYTES} bytes, made one at a time as they are asked for (a million rows are a gigabyte of SQL);
     * with {@code upsert}, rows that exist get the new values of the columns an update changes
     * ({@code ON DUPLICATE KEY UPDATE}).
     */
    private Iterable<String> inserts(Table table, Iterable<Integer> rows, Map<Integer, Integer> revisions,
                                     String updatedAt, boolean upsert) {
        String head = "INSERT INTO " + MysqlServer.quoted(table.name) + " (" + String.join(", ", columns(table))
                + ") VALUES ";
        String tail = upsert ? " ON DUPLICATE KEY UPDATE " + Stream.concat(changing(table).stream(),
                Stream.of("body", CURSOR_COLUMN)).map(c -> c + " = VALUES(" + c + ")").collect(Collectors.joining(", "))
                : "";
        return () -> new Iterator<>() {
            private final Iterator<Integer> next = rows.iterator();

            @Override
            public boolean hasNext() {
                return next.hasNext();
            }

            @Override
            public String next() {
                if (!next.hasNext()) {
                    throw new NoSuchElementException();
                }
                StringBuilder sql = new StringBuilder(BATCH_BYTES + 10_000).append(head);
                boolean first = true;
                while (next.hasNext() && sql.length() < BATCH_BYTES) {
                    int i = next.next();
                    int revision = revisions == null ? 0 : revisions.getOrDefault(i, 0);
                    sql.append(first ? "(" : ",(").append(String.join(", ", values(table, i, revision, updatedAt)))
                            .append(')');
                    first = false;
                }
                return sql.append(tail).toString();
            }
        };
    }

    /** Rows {@code first} to {@code last}. */
    private static Iterable<Integer> range(int first, int last) {
        return () -> java.util.stream.IntStream.rangeClosed(first, last).iterator();
    }

    /**
     * Runs {@code statements}, each on a connection of its own, {@value #LOAD_CONCURRENCY} at a time, made on a
     * worker thread as they are needed; the rows they changed.
     */
    private long run(Iterable<String> statements) {
        ConnectionFactory factory = database.connectionFactory();
        return MysqlServer.await(Flux.fromIterable(statements)
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(sql -> Mono.usingWhen(Mono.from(factory.create()),
                        c -> Flux.from(c.createStatement(sql).execute()).concatMap(Result::getRowsUpdated)
                                .reduce(0L, Long::sum),
                        Connection::close), LOAD_CONCURRENCY, 1)
                .reduce(0L, Long::sum), LONG);
    }

    @Override
    public TypeZoo loadTypeZoo() {
        if (zoo == null) {
            zoo = MysqlServer.shared().create("ftest_zoo");
        }
        return MysqlTypeZoo.load(zoo);
    }

    @Override
    public Map<String, Object> connectorConfiguration() {
        Map<String, Object> configuration = new LinkedHashMap<>(database.config());
        configuration.put("cursor_column", CURSOR_COLUMN);
        // ftest and bench measure the sync itself: with the change watch on, the benchmark's no-change re-sync is
        // skipped outright (and the shared server has no binlog to watch).
        configuration.put("watch_changes", false);
        // The fixture's server is local and has no TLS.
        configuration.put("ssl_mode", "disabled");
        return Collections.unmodifiableMap(configuration);
    }

    /**
     * Updates (of the body and some other columns, {@code updated_at = NOW(6)}: one {@code INSERT ... ON DUPLICATE KEY
     * UPDATE} per table and batch), then deletes, then adds (new keys, never reused; {@code updated_at = NOW(6)}), each
     * spread evenly over the tables. A row is touched once.
     */
    @Override
    public Mutation mutate(int adds, int updates, int deletes) {
        if (adds < 0 || updates < 0 || deletes < 0) {
            throw new IllegalArgumentException("negative mutation: " + adds + ", " + updates + ", " + deletes);
        }
        int live = tables.values().stream().mapToInt(TableState::live).sum();
        if (updates + deletes > live) {
            throw new IllegalArgumentException("cannot update " + updates + " and delete " + deletes + " of " + live
                    + " rows");
        }
        closeCursors();
        SplittableRandom random = new SplittableRandom(SEED + ++rounds);
        Table[] all = Table.values();
        int[] available = new int[all.length];
        for (Table table : all) {
            available[table.ordinal()] = tables.get(table).live();
        }
        int[] updateShares = spread(updates, available);
        for (int t = 0; t < all.length; t++) {
            available[t] -= updateShares[t];
        }
        int[] deleteShares = spread(deletes, available);
        Arrays.fill(available, Integer.MAX_VALUE);
        int[] addShares = spread(adds, available);

        List<String> updated = new ArrayList<>(updates);
        List<String> deleted = new ArrayList<>(deletes);
        List<String> added = new ArrayList<>(adds);
        Map<Table, List<Integer>> toDelete = new EnumMap<>(Table.class);
        for (Table table : all) {
            TableState state = tables.get(table);
            Set<Integer> chosen = new HashSet<>();
            List<Integer> rows = FixtureSampling.pick(random, updateShares[table.ordinal()], state.next, state.live,
                    chosen);
            toDelete.put(table, FixtureSampling.pick(random, deleteShares[table.ordinal()], state.next, state.live,
                    chosen));
            if (rows.isEmpty()) {
                continue;
            }
            Map<Integer, Integer> revisions = new HashMap<>();
            for (int i : rows) {
                revisions.put(i, state.revisions.merge(i, 1, Integer::sum));
                updated.add(id(table, i));
            }
            // ON DUPLICATE KEY UPDATE counts 2 per row changed.
            expect(run(inserts(table, rows, revisions, "NOW(6)", true)), 2L * rows.size(), "updated", table);
        }
        for (Table table : all) {
            List<Integer> rows = toDelete.get(table);
            if (rows.isEmpty()) {
                continue;
            }
            TableState state = tables.get(table);
            String where = rows.stream().map(i -> "(" + key(table, i).stream()
                            .map(k -> table == Table.PAGES ? literal(k) : k).collect(Collectors.joining(", ")) + ")")
                    .collect(Collectors.joining(", "));
            expect(run(List.of("DELETE FROM " + MysqlServer.quoted(table.name) + " WHERE (" + String.join(", ",
                    table.key) + ") IN (" + where + ")")), rows.size(), "deleted", table);
            for (int i : rows) {
                state.live.clear(i);
                deleted.add(id(table, i));
            }
        }
        for (Table table : all) {
            int n = addShares[table.ordinal()];
            if (n == 0) {
                continue;
            }
            TableState state = tables.get(table);
            int first = state.next;
            int last = state.next + n - 1;
            List<Integer> rows = new ArrayList<>();
            for (int i = first; i <= last; i++) {
                rows.add(i);
            }
            expect(run(inserts(table, rows, null, "NOW(6)", false)), n, "added", table);
            for (int i = first; i <= last; i++) {
                state.live.set(i);
                added.add(id(table, i));
            }
            state.next += n;
        }
        return new Mutation(added, updated, deleted);
    }

    private void expect(long done, long expected, String what, Table table) {
        if (done != expected) {
            throw new IllegalStateException(what + " " + done + " rows of " + qualified(table) + ", not " + expected);
        }
    }

    /** {@code n} shared round-robin over the tables, none given more than it has {@code available}. */
    static int[] spread(int n, int[] available) {
        int[] shares = new int[available.length];
        int t = 0;
        for (int k = 0; k < n; k++) {
            int tries = 0;
            while (shares[t] >= available[t]) {
                t = (t + 1) % shares.length;
                if (++tries > shares.length) {
                    throw new IllegalArgumentException("cannot share " + n + " among " + Arrays.toString(available));
                }
            }
            shares[t]++;
            t = (t + 1) % shares.length;
        }
        return shares;
    }

    /**
     * Every row's id and digest in ascending order of id as unsigned UTF-8 bytes: computed by the server into a
     * temporary table keyed by the id's bytes ({@code VARBINARY}, so byte order), then read from it in pages of
     * {@value #TRUTH_PAGE} by key. The order is checked as the rows come.
     */
    @Override
    public Iterator<Truth> groundTruth() {
        TruthCursor cursor = new TruthCursor(database.connectionFactory(), "truth_" + ++truths);
        cursors.add(cursor);
        return cursor;
    }

    /** The statements that fill temporary table {@code name} with every row's id (bytes) and digest. */
    List<String> truthSql(String name) {
        List<String> sql = new ArrayList<>();
        sql.add("CREATE TEMPORARY TABLE " + name + " (id VARBINARY(3000) NOT NULL PRIMARY KEY, digest CHAR(64) NOT NULL)"
                + " ENGINE=InnoDB");
        for (Table table : Table.values()) {
            String target = qualified(table);
            sql.add("INSERT INTO " + name + " SELECT CAST(CONCAT(" + literal(target + "/") + ", " + table.key.stream()
                    .map(k -> "REPLACE(REPLACE(REPLACE(CAST(" + k + " AS CHAR), '%', '%25'), ',', '%2C'), '/', '%2F')")
                    .collect(Collectors.joining(", ',', ")) + ") AS BINARY), SHA2(CONCAT(" + literal(target + "\n")
                    + ", body), 256) FROM " + MysqlServer.quoted(table.name));
        }
        return sql;
    }

    @Override
    public String digestOfIndexed(Map<String, Object> source) {
        Object table = source.get(TABLE_FIELD);
        Object body = source.get("body");
        if (table instanceof String t && body instanceof String b) {
            return digest(t, b);
        }
        // Never a digest of the truth: the harness reports the document as different.
        return "unreadable: " + TABLE_FIELD + " " + describe(table) + ", body " + describe(body);
    }

    private static String describe(Object value) {
        return value == null ? "missing" : value.getClass().getSimpleName();
    }

    @Override
    public List<String> digestFields() {
        return List.of(TABLE_FIELD, "body");
    }

    /** The digest of a row: SHA-256 (hex) of {@code mysqlTable + "\n" + body} as UTF-8. */
    static String digest(String mysqlTable, String body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest((mysqlTable + "\n" + body).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads every column of every row with r2dbc-mysql, decoding each value as the driver does by default
     * ({@code SELECT *}, two tables at a time).
     */
    @Override
    public long readAllWithOwnDriver() {
        ConnectionFactory factory = database.connectionFactory();
        return MysqlServer.await(Flux.fromArray(Table.values())
                .flatMap(table -> Flux.usingWhen(Mono.from(factory.create()),
                        c -> Flux.from(c.createStatement("SELECT * FROM " + MysqlServer.quoted(table.name)).execute())
                                .concatMap(r -> r.map((row, meta) -> {
                                    int columns = meta.getColumnMetadatas().size();
                                    for (int i = 0; i < columns; i++) {
                                        row.get(i);
                                    }
                                    return columns;
                                })),
                        Connection::close), LOAD_CONCURRENCY)
                .count(), LONG);
    }

    @Override
    public boolean incrementalSeesDeletions() {
        // A cursor column sees rows changed, not rows gone (docs/sources/mysql.md).
        return false;
    }

    @Override
    public boolean supportsIncremental() {
        return true;
    }

    /** Splits of about 1,000 rows: a small load's integer-keyed tables are then several splits each. */
    @Override
    public Map<String, Object> splittingConfiguration() {
        return Map.of("split_rows", 1000);
    }

    @Override
    public void close() {
        closeCursors();
        if (database != null) {
            database.close();
        }
        if (zoo != null) {
            zoo.close();
        }
    }

    private void closeCursors() {
        List.copyOf(cursors).forEach(TruthCursor::close);
    }

    static String literal(String s) {
        StringBuilder out = new StringBuilder(s.length() + 8).append('\'');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\'' -> out.append("''");
                case '\\' -> out.append("\\\\");
                case '\0' -> out.append("\\0");
                default -> out.append(c);
            }
        }
        return out.append('\'').toString();
    }

    /**
     * {@value #SNIPPETS} texts, their sizes log-uniform from 60 to about 3,600 characters: sentences of common words,
     * one word in 12 from {@link #ODD_WORDS} (non-ASCII, emoji, quotes, backslash, tab, markup), paragraphs now and then.
     */
    static String[] snippets() {
        SplittableRandom random = new SplittableRandom(SEED);
        String[] snippets = new String[SNIPPETS];
        for (int s = 0; s < SNIPPETS; s++) {
            int target = (int) (60 * Math.pow(2, random.nextDouble() * 5.9));
            StringBuilder text = new StringBuilder(target + 100);
            while (text.length() < target) {
                int words = 4 + random.nextInt(14);
                for (int w = 0; w < words; w++) {
                    double r = random.nextDouble();
                    String word = random.nextInt(12) == 0 ? ODD_WORDS[random.nextInt(ODD_WORDS.length)]
                            : WORDS[(int) (r * r * WORDS.length)];
                    text.append(w == 0 ? word.substring(0, 1).toUpperCase(Locale.ROOT) + word.substring(1) : word)
                            .append(w == words - 1 ? "" : random.nextInt(10) == 0 ? ", " : " ");
                }
                text.append(random.nextInt(6) == 0 ? ".\n\n" : ". ");
            }
            snippets[s] = text.toString().strip();
        }
        return snippets;
    }

    /** The ground truth, from a temporary table on a connection of its own, closed at the end (dropping it). */
    private final class TruthCursor implements Iterator<Truth>, AutoCloseable {
        private final Connection connection;
        private final String table;
        private final ArrayDeque<Truth> batch = new ArrayDeque<>();
        private boolean exhausted;
        private boolean closed;
        private String lastHex;
        private byte[] previous;

        TruthCursor(ConnectionFactory factory, String table) {
            this.table = table;
            connection = MysqlServer.await(Mono.from(factory.create()), MysqlServer.HELPER_TIMEOUT);
            try {
                MysqlServer.await(Flux.fromIterable(truthSql(table))
                        .concatMap(s -> Flux.from(connection.createStatement(s).execute()).concatMap(Result::getRowsUpdated))
                        .then(), LONG);
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        @Override
        public boolean hasNext() {
            if (batch.isEmpty() && !exhausted) {
                fetch();
            }
            if (batch.isEmpty()) {
                close();
                return false;
            }
            return true;
        }

        private void fetch() {
            String sql = "SELECT HEX(id), CONVERT(id USING utf8mb4), digest FROM " + table
                    + (lastHex == null ? "" : " WHERE id > UNHEX('" + lastHex + "')") + " ORDER BY id LIMIT " + TRUTH_PAGE;
            List<String[]> rows = MysqlServer.await(Flux.from(connection.createStatement(sql).execute())
                    .concatMap(r -> r.map((row, meta) -> new String[] {row.get(0, String.class), row.get(1, String.class),
                        row.get(2, String.class)}))
                    .collectList(), LONG);
            exhausted = rows.size() < TRUTH_PAGE;
            for (String[] row : rows) {
                byte[] key = row[1].getBytes(StandardCharsets.UTF_8);
                if (previous != null && Arrays.compareUnsigned(previous, key) >= 0) {
                    throw new IllegalStateException("the server's order of ids is not that of their UTF-8 bytes: "
                            + new String(previous, StandardCharsets.UTF_8) + " before " + row[1]);
                }
                previous = key;
                lastHex = row[0];
                batch.add(new Truth(row[1], row[2]));
            }
        }

        @Override
        public Truth next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return batch.poll();
        }

        @Override
        public void close() {
            cursors.remove(this);
            exhausted = true;
            batch.clear();
            if (!closed) {
                closed = true;
                try {
                    // Drops the temporary table with the session.
                    MysqlServer.await(Mono.from(connection.close()), MysqlServer.HELPER_TIMEOUT);
                } catch (RuntimeException e) {
                    // the connection is gone already
                }
            }
        }
    }
}
