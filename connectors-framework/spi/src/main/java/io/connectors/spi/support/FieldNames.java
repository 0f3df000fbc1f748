package io.connectors.spi.support;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Field names for columns: what a source whose documents are rows (a database table's columns, a query's) names each
 * field, so that Elasticsearch can take it as a top-level field and it belongs to no one else.
 *
 * <p>A column keeps its name unless:
 * <ol>
 *   <li>it holds {@code .}: every {@code .} becomes {@code _} (Elasticsearch would read {@code a.b} as field
 *       {@code b} of object {@code a}): {@code a.b} is {@code a_b};</li>
 *   <li>it is then empty: {@code (empty)}; or only whitespace, which Elasticsearch refuses: each character
 *       percent-encoded as its UTF-8 bytes ({@code " "} is {@code %20});</li>
 *   <li>it is then an Elasticsearch metadata field ({@link #METADATA_FIELDS}), starts with {@code _sync} (the
 *       runtime's fields) or is the source's own field: it gets the source's prefix, with an {@code _} unless it
 *       starts with one ({@code _id} is {@code pg_id}, {@code _sync_x} is {@code pg_sync_x}, {@code pg_table} is
 *       {@code pg_pg_table}).</li>
 * </ol>
 * {@link #distinct} makes the names of a column list distinct: the source's own field is taken first; then every
 * column that needs no renaming keeps its name (the first, if a query repeats a name); last, in column order, each
 * other column takes the first free name among its renamed name {@code n}, {@code n~1}, {@code n~2}, ... So
 * {@code (a_b, a.b)} gives {@code (a_b, a_b~1)} whatever the column order, and names only change when columns do.
 *
 * @param prefix   the source's prefix for reserved names ({@code pg}, {@code mysql})
 * @param ownField the field the source adds to every document itself ({@code pg_table})
 */
public record FieldNames(String prefix, String ownField) {

    /** Metadata fields of Elasticsearch, current and past, which a document may not hold at its top level. */
    public static final Set<String> METADATA_FIELDS = Set.of("_id", "_index", "_index_mode", "_source", "_ignored",
            "_ignored_source", "_routing", "_version", "_seq_no", "_primary_term", "_field_names", "_nested_path",
            "_doc_count", "_data_stream_timestamp", "_tsid", "_ts_routing_hash", "_tier", "_type", "_size", "_meta",
            "_uid", "_parent", "_all", "_timestamp", "_ttl", "_inference_fields");

    private static final String RESERVED_PREFIX = "_sync";
    private static final String EMPTY_NAME = "(empty)";
    private static final HexFormat UPPER_HEX = HexFormat.of().withUpperCase();

    public FieldNames {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(ownField, "ownField");
    }

    /** The field name of one column, renamed if it must be; not yet distinct from the others' ({@link #distinct} is). */
    public String of(String column) {
        String name = column.replace('.', '_');
        if (name.isEmpty()) {
            name = EMPTY_NAME;
        } else if (name.isBlank()) {
            name = percentEncode(name);
        }
        if (reserved(name)) {
            name = (name.startsWith("_") ? prefix : prefix + "_") + name;
        }
        return name;
    }

    /** The distinct field names of these columns, in their order. */
    public List<String> distinct(List<String> columns) {
        String[] names = new String[columns.size()];
        Set<String> taken = new HashSet<>();
        taken.add(ownField);
        for (int i = 0; i < names.length; i++) {
            String column = columns.get(i);
            if (of(column).equals(column) && taken.add(column)) {
                names[i] = column;
            }
        }
        for (int i = 0; i < names.length; i++) {
            if (names[i] == null) {
                String base = of(columns.get(i));
                String name = base;
                for (int n = 1; !taken.add(name); n++) {
                    name = base + "~" + n;
                }
                names[i] = name;
            }
        }
        return List.of(names);
    }

    private boolean reserved(String name) {
        return METADATA_FIELDS.contains(name) || name.startsWith(RESERVED_PREFIX) || name.equals(ownField);
    }

    private static String percentEncode(String name) {
        StringBuilder out = new StringBuilder(name.length() * 3);
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            out.append('%').append(UPPER_HEX.toHexDigits(b));
        }
        return out.toString();
    }
}
