package io.connectors.source.mysql;

import java.util.List;

/** What {@link MysqlBinlog#follow} delivers. */
sealed interface BinlogEvent {

    /**
     * Rows a transaction wrote in one followed table: each row's key values as text (the text the full sync lists:
     * {@code LOWER(HEX(col))} for binary types, {@code CAST(col AS CHAR)} for the others, a null for SQL NULL). For an
     * UPDATE, {@code keys} are the new keys and {@code oldKeys} the old ones, row for row (a key change is a delete of
     * the old id plus an upsert of the new); for the other kinds {@code oldKeys} is empty.
     */
    record Rows(String schema, String table, Kind kind, List<List<String>> keys, List<List<String>> oldKeys)
            implements BinlogEvent {
    }

    enum Kind { INSERT, UPDATE, DELETE }

    /**
     * The end of a transaction (XID event, or COMMIT query event): everything before it is one committed unit;
     * {@code next} is the position to resume after it.
     */
    record Commit(BinlogPosition next) implements BinlogEvent {
    }

    /**
     * Nothing to deliver but the reader moved on (heartbeats, transactions touching only other tables): a position to
     * resume from. Emitted at most once per {@code idle} duration while quiet.
     */
    record Idle(BinlogPosition next) implements BinlogEvent {
    }
}
