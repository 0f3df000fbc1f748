package io.connectors.spi.support;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A list field of {@code table: column, column} entries, such as the key columns a database source is told for tables
 * without a primary key ({@code ["audit_log: logged_at, seq"]}): its validator and its parsed form, one definition for
 * every source that takes one.
 */
public final class TableColumns {
    private TableColumns() {
    }

    /**
     * A validator: every entry is {@code table: column[, column...]}, no table twice, no column empty or twice in an
     * entry. Names are compared as written.
     */
    public static Function<Object, String> validator() {
        return value -> {
            List<String> seen = new ArrayList<>();
            for (Object item : (List<?>) value) {
                String entry = String.valueOf(item);
                int colon = entry.indexOf(':');
                if (colon <= 0 || entry.substring(0, colon).isBlank()) {
                    return "entry '" + entry + "' is not `table: column, column`";
                }
                String table = entry.substring(0, colon).trim();
                if (seen.contains(table)) {
                    return "names table '" + table + "' twice";
                }
                seen.add(table);
                List<String> columns = new ArrayList<>();
                for (String column : entry.substring(colon + 1).split(",", -1)) {
                    String c = column.trim();
                    if (c.isEmpty()) {
                        return "entry '" + entry + "' has an empty column name";
                    }
                    if (columns.contains(c)) {
                        return "entry '" + entry + "' names column '" + c + "' twice";
                    }
                    columns.add(c);
                }
            }
            return null;
        };
    }

    /** The entries {@link #validator()} accepted, as table to its columns, in order. */
    public static Map<String, List<String>> parse(List<String> entries) {
        Map<String, List<String>> parsed = new LinkedHashMap<>();
        for (String entry : entries) {
            int colon = entry.indexOf(':');
            List<String> columns = new ArrayList<>();
            for (String column : entry.substring(colon + 1).split(",")) {
                columns.add(column.trim());
            }
            parsed.put(entry.substring(0, Math.max(colon, 0)).trim(), List.copyOf(columns));
        }
        return java.util.Collections.unmodifiableMap(parsed);
    }
}
