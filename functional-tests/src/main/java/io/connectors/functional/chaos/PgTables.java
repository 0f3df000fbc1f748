package io.connectors.functional.chaos;

import io.connectors.testkit.functional.SourceFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Tables of a scenario's own in schema {@value #SCHEMA} of the local PostgreSQL ({@code psql}, database {@code test},
 * user {@code postgres}; {@code CHAOS_PG_HOST}, {@code CHAOS_PG_DATABASE}, {@code CHAOS_PG_USER} override) or of
 * another server ({@link Psql}, e.g. the private cluster a real-time scenario needs), each with a
 * one-column primary key {@code key}, a {@code body text} and an {@code updated_at timestamptz} (the source wants a
 * cursor column), as a {@link SourceFixture} for {@code IndexVerifier}:
 * the ground truth is every row's id as the PostgreSQL source writes it ({@code chaos.<table>/<key>}, with {@code %},
 * {@code ,} and {@code /} percent-encoded) and the SHA-256 of its {@code body}, sorted by the server in byte order.
 * Only the ground truth and the digest are used; the rows are written with {@link #sql}.
 */
final class PgTables implements SourceFixture {
    static final String SCHEMA = "chaos";
    static final String HOST = env("CHAOS_PG_HOST", "127.0.0.1");
    static final String DATABASE = env("CHAOS_PG_DATABASE", "test");
    static final String USER = env("CHAOS_PG_USER", "postgres");

    static final Psql LOCAL = new Psql(HOST, 5432, DATABASE, USER);

    private final List<String> tables;
    private final Psql server;

    PgTables(List<String> tables) {
        this(tables, LOCAL);
    }

    PgTables(List<String> tables, Psql server) {
        this.tables = List.copyOf(tables);
        this.server = server;
    }

    /**
     * A database reached with {@code psql} (no password: trust authentication, as on the local server and the private
     * clusters of the tests).
     */
    record Psql(String host, int port, String database, String user) {

        /** The server a source fixture's {@code connectorConfiguration()} points at (host, port, database, user). */
        static Psql of(Map<String, Object> configuration) {
            return new Psql(String.valueOf(configuration.get("host")),
                    configuration.get("port") instanceof Number n ? n.intValue() : 5432,
                    String.valueOf(configuration.get("database")), String.valueOf(configuration.get("user")));
        }

        /** Runs {@code sql} (several statements allowed) with {@code psql}; its unaligned output lines. */
        List<String> sql(String sql) throws Exception {
            Process p = new ProcessBuilder("psql", "-X", "-q", "-h", host, "-p", String.valueOf(port), "-U", user, "-d",
                    database, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("psql failed on " + (sql.length() > 200 ? sql.substring(0, 200) + "..."
                        : sql) + ": " + out);
            }
            return out.lines().toList();
        }
    }

    /** Drops and creates the schema. */
    void reset() throws Exception {
        server.sql("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE; CREATE SCHEMA " + SCHEMA);
    }

    /** Runs {@code sql} (several statements allowed) on the local server with {@code psql}; its output lines. */
    static List<String> sql(String sql) throws Exception {
        return LOCAL.sql(sql);
    }

    @Override
    public String type() {
        return "postgresql";
    }

    @Override
    public void start(Path workDir) {
    }

    @Override
    public void load(int count) {
        throw new UnsupportedOperationException("the scenario writes its rows");
    }

    @Override
    public Map<String, Object> connectorConfiguration() {
        return Map.of("host", server.host(), "port", server.port(), "database", server.database(), "user", server.user(),
                "schemas", List.of(SCHEMA), "tables", tables, "ssl_mode", "disable", "cursor_column", "updated_at");
    }

    @Override
    public TypeZoo loadTypeZoo() {
        throw new UnsupportedOperationException("the scenario writes its rows; the type zoo is PgFixture's");
    }

    @Override
    public Mutation mutate(int adds, int updates, int deletes) {
        throw new UnsupportedOperationException("the scenario changes its rows");
    }

    @Override
    public Iterator<Truth> groundTruth() throws Exception {
        String union = tables.stream().map(t -> "SELECT '" + SCHEMA + "." + t + "/' || replace(replace(replace(key::text,"
                + " '%', '%25'), ',', '%2C'), '/', '%2F') AS id, body FROM " + SCHEMA + "." + t)
                .collect(Collectors.joining(" UNION ALL "));
        List<String> rows = server.sql("SELECT encode(convert_to(id, 'UTF8'), 'hex') || ' ' || encode(sha256(convert_to(body,"
                + " 'UTF8')), 'hex') FROM (" + union + ") AS r ORDER BY id COLLATE \"C\"");
        HexFormat hex = HexFormat.of();
        return rows.stream().map(line -> {
            String[] parts = line.split(" ");
            return new Truth(new String(hex.parseHex(parts[0]), StandardCharsets.UTF_8), parts[1]);
        }).iterator();
    }

    @Override
    public String digestOfIndexed(Map<String, Object> source) {
        Object body = source.get("body");
        return sha256(body == null ? "" : body.toString());
    }

    @Override
    public List<String> digestFields() {
        return List.of("body");
    }

    @Override
    public long readAllWithOwnDriver() throws Exception {
        throw new UnsupportedOperationException();
    }

    @Override
    public void close() throws IOException {
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v.trim();
    }
}
