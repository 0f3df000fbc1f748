package io.connectors.source.mysql;

/**
 * A key column of a followed table, as {@code information_schema.COLUMNS} describes it.
 *
 * @param ordinal    {@code ORDINAL_POSITION}, 1-based
 * @param dataType   {@code DATA_TYPE}, lower case
 * @param columnType {@code COLUMN_TYPE}, e.g. {@code bigint(20) unsigned}, {@code enum('a','b')}
 * @param charset    {@code CHARACTER_SET_NAME}, or null
 */
record KeyColumn(String name, int ordinal, String dataType, String columnType, String charset) {
}
