package io.connectors.spi.config;

/** The type of a configuration field, which decides how its raw value is parsed and validated. */
public enum FieldType {
    /** Any text. */
    STRING,
    /** A whole number that fits in a {@code long}. */
    INTEGER,
    /** A decimal number ({@code 0.5}, {@code 2}, {@code 1e-3}), read as a {@code double}. */
    NUMBER,
    /** {@code true} or {@code false}. */
    BOOLEAN,
    /**
     * A duration: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d} (or the unit spelled out:
     * {@code 30 seconds}, {@code 5 minutes}), or ISO-8601 ({@code PT30S}).
     */
    DURATION,
    /**
     * A size in bytes: a number, or {@code 512b}, {@code 64kb}, {@code 10mb}, {@code 1gb}; units are powers of 1024
     * (as in Elasticsearch), any case, and may be written {@code KiB}, {@code MiB}, {@code GiB} or {@code k}, {@code m},
     * {@code g}: {@code 5MiB}, {@code 5mb} and {@code 5m} are the same size.
     */
    BYTE_SIZE,
    /** A list of strings; a single string is read as a one-element list. */
    LIST
}
