package io.connectors.source.mysql;

import java.util.List;

/** A followed table: schema, name, its key columns in key order, and its column count. */
record FollowedTable(String schema, String name, List<KeyColumn> key, int columnCount) {

    FollowedTable {
        key = List.copyOf(key);
    }

    String qualifiedName() {
        return schema + "." + name;
    }
}
