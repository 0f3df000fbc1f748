package io.connectors.spi.config;

/** The type of a configuration field, which decides how its raw value is parsed and validated. */
public enum FieldType {
    /** Any text. */
    STRING,
    /** A whole number that fits in a {@code long}. */
    INTEGER,
    /** {@code true} or {@code false}. */
    BOOLEAN,
    /** A duration: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d}, or ISO-8601 ({@code PT30S}). */
    DURATION,
    /** A size in bytes: a number, or {@code 512b}, {@code 64kb}, {@code 10mb}, {@code 1gb}. */
    BYTE_SIZE,
    /** A list of strings; a single string is read as a one-element list. */
    LIST
}
