package io.connectors.source.mysql;

import com.github.shyiko.mysql.binlog.event.TableMapEventData;
import io.connectors.spi.CursorExpiredException;
import io.connectors.spi.SourceException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The followed tables as the binlog names them: TABLE_MAP events map a table id to a schema and table, and rows
 * events refer to the id. Holds each key column's decoder (built up front, so an unsupported key type fails before
 * anything is read).
 */
final class BinlogTables {
    private final List<FollowedTable> tables;
    private final Map<String, Followed> byName = new HashMap<>();
    private final Map<Long, Followed> byId = new HashMap<>();

    /** A followed table with its key's decoders and binlog column indexes (0-based). */
    record Followed(FollowedTable table, BinlogKeyDecoder[] decoders, int[] columns) {
    }

    BinlogTables(List<FollowedTable> tables) {
        this.tables = List.copyOf(tables);
        for (FollowedTable table : this.tables) {
            if (table.key().isEmpty()) {
                throw new IllegalArgumentException("table " + table.qualifiedName() + " has no key columns");
            }
            BinlogKeyDecoder[] decoders = new BinlogKeyDecoder[table.key().size()];
            int[] columns = new int[decoders.length];
            for (int i = 0; i < decoders.length; i++) {
                KeyColumn column = table.key().get(i);
                decoders[i] = BinlogKeyDecoder.of(table, column);
                columns[i] = column.ordinal() - 1;
                if (columns[i] < 0 || columns[i] >= table.columnCount()) {
                    throw new IllegalArgumentException("key column " + table.qualifiedName() + "." + column.name()
                            + " has ordinal " + column.ordinal() + ", outside 1.." + table.columnCount());
                }
            }
            byName.put(table.schema() + "\u0000" + table.name(), new Followed(table, decoders, columns));
        }
    }

    List<FollowedTable> tables() {
        return tables;
    }

    /** Records a TABLE_MAP event; fails when a followed table's column count is not the expected one. */
    void map(TableMapEventData map) {
        Followed followed = byName.get(map.getDatabase() + "\u0000" + map.getTable());
        if (followed == null) {
            byId.remove(map.getTableId());
            return;
        }
        int columns = map.getColumnTypes().length;
        if (columns != followed.table().columnCount()) {
            throw new CursorExpiredException("table " + followed.table().qualifiedName() + " was altered: the binlog"
                    + " has " + columns + " columns for it where " + followed.table().columnCount() + " were expected");
        }
        byId.put(map.getTableId(), followed);
    }

    /** The followed table of a rows event's table id, or null. */
    Followed byId(long tableId) {
        return byId.get(tableId);
    }

    /** The keys of {@code rows}, whose images hold the {@code included} columns only (in order). */
    static List<List<String>> keys(Followed followed, BitSet included, List<Serializable[]> rows) {
        int[] positions = new int[followed.columns().length];
        for (int i = 0; i < positions.length; i++) {
            int column = followed.columns()[i];
            if (!included.get(column)) {
                throw new SourceException("the binlog's row image of " + followed.table().qualifiedName()
                        + " lacks key column " + followed.table().key().get(i).name()
                        + ": binlog_row_image must be FULL");
            }
            positions[i] = included.get(0, column).cardinality();
        }
        List<List<String>> keys = new ArrayList<>(rows.size());
        for (Serializable[] row : rows) {
            List<String> key = new ArrayList<>(positions.length);
            for (int i = 0; i < positions.length; i++) {
                key.add(followed.decoders()[i].text(row[positions[i]]));
            }
            keys.add(Collections.unmodifiableList(key));
        }
        return Collections.unmodifiableList(keys);
    }
}
