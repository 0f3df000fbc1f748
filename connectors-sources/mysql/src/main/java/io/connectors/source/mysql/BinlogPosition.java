package io.connectors.source.mysql;

import java.util.Objects;

/**
 * Where the binlog is read from: a file and an offset in it (the position after a transaction's commit). Its text
 * form is {@code file:offset}. Positions order by the file's numeric suffix ({@code binlog.000010} after
 * {@code binlog.000009}), then by offset.
 */
record BinlogPosition(String file, long offset) implements Comparable<BinlogPosition> {

    BinlogPosition {
        Objects.requireNonNull(file, "file");
        if (file.isEmpty() || offset < 0) {
            throw new IllegalArgumentException("not a binlog position: " + file + ":" + offset);
        }
    }

    /** Reads {@code file:offset}, the form {@link #toString()} writes. */
    static BinlogPosition parse(String text) {
        int colon = text == null ? -1 : text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("a binlog position is file:offset, not " + text);
        }
        try {
            return new BinlogPosition(text.substring(0, colon), Long.parseLong(text.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a binlog position is file:offset, not " + text);
        }
    }

    @Override
    public int compareTo(BinlogPosition other) {
        int byFile = Long.compare(sequence(file), sequence(other.file));
        if (byFile == 0) {
            byFile = file.compareTo(other.file);
        }
        return byFile != 0 ? byFile : Long.compare(offset, other.offset);
    }

    /** The number after the last dot ({@code binlog.000042} is 42), or -1. */
    private static long sequence(String file) {
        int dot = file.lastIndexOf('.');
        try {
            return dot < 0 ? -1 : Long.parseLong(file.substring(dot + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public String toString() {
        return file + ":" + offset;
    }
}
