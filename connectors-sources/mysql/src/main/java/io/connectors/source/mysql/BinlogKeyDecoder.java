package io.connectors.source.mysql;

import java.io.Serializable;
import java.math.BigDecimal;
import java.nio.charset.Charset;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.GregorianCalendar;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TimeZone;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a key column's binlog value (as the binlog client decodes it with {@code DATE_AND_TIME_AS_LONG_MICRO},
 * {@code CHAR_AND_BINARY_AS_BYTE_ARRAY} and {@code INVALID_DATE_AND_TIME_AS_MIN_VALUE}) into the text the full sync
 * lists for it with SQL (session time zone {@code +00:00}, utf8mb4): {@code LOWER(HEX(col))} for binary types,
 * {@code CAST(col AS CHAR)} for the others. Built once per key column; refuses unsupported types up front.
 */
final class BinlogKeyDecoder {
    static final Set<String> INTEGERS = Set.of("tinyint", "smallint", "mediumint", "int", "integer", "bigint");
    static final Set<String> TEXTS = Set.of("char", "varchar", "tinytext", "text", "mediumtext", "longtext");
    static final Set<String> BINARIES = Set.of("binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob");
    /** Java's names for MySQL's character sets ({@code latin1} is handled apart: MySQL's is cp1252 with 5 more). */
    static final Map<String, String> CHARSETS = Map.ofEntries(
            Map.entry("utf8mb4", "UTF-8"), Map.entry("utf8mb3", "UTF-8"), Map.entry("utf8", "UTF-8"),
            Map.entry("ascii", "US-ASCII"), Map.entry("ucs2", "UTF-16BE"), Map.entry("utf16", "UTF-16BE"),
            Map.entry("utf16le", "UTF-16LE"), Map.entry("utf32", "UTF-32BE"), Map.entry("latin2", "ISO-8859-2"),
            Map.entry("latin5", "ISO-8859-9"), Map.entry("latin7", "ISO-8859-13"), Map.entry("greek", "ISO-8859-7"),
            Map.entry("hebrew", "ISO-8859-8"), Map.entry("cp1250", "windows-1250"), Map.entry("cp1251", "windows-1251"),
            Map.entry("cp1256", "windows-1256"), Map.entry("cp1257", "windows-1257"), Map.entry("cp850", "IBM850"),
            Map.entry("cp852", "IBM852"), Map.entry("cp866", "IBM866"), Map.entry("koi8r", "KOI8-R"),
            Map.entry("koi8u", "KOI8-U"), Map.entry("sjis", "Shift_JIS"), Map.entry("cp932", "windows-31j"),
            Map.entry("ujis", "EUC-JP"), Map.entry("euckr", "EUC-KR"), Map.entry("gbk", "GBK"),
            Map.entry("gb2312", "GB2312"), Map.entry("gb18030", "GB18030"), Map.entry("big5", "Big5"),
            Map.entry("tis620", "TIS-620"), Map.entry("macroman", "x-MacRoman"), Map.entry("macce", "x-MacCentralEurope"));
    /** 1582-10-15, where the binlog client switches from the Julian calendar (before) to the Gregorian one. */
    static final long GREGORIAN_CUTOVER_MICROS = -12_219_292_800_000_000L;
    private static final Pattern LENGTH = Pattern.compile("\\((\\d+)\\)");
    private static final HexFormat HEX = HexFormat.of();

    private final String where;
    private final String dataType;
    private final boolean unsigned;
    private final Charset charset;
    private final boolean latin1;
    private final int length;
    private final List<String> labels;

    private BinlogKeyDecoder(String where, String dataType, boolean unsigned, Charset charset, boolean latin1,
                             int length, List<String> labels) {
        this.where = where;
        this.dataType = dataType;
        this.unsigned = unsigned;
        this.charset = charset;
        this.latin1 = latin1;
        this.length = length;
        this.labels = labels;
    }

    /** The decoder of {@code column} of {@code table}; an IllegalArgumentException naming both for other types. */
    static BinlogKeyDecoder of(FollowedTable table, KeyColumn column) {
        String where = table.qualifiedName() + "." + column.name();
        String type = column.dataType().toLowerCase(Locale.ROOT);
        String columnType = column.columnType() == null ? type : column.columnType().toLowerCase(Locale.ROOT);
        if (INTEGERS.contains(type)) {
            return new BinlogKeyDecoder(where, type, columnType.contains("unsigned"), null, false, 0, List.of());
        }
        if (type.equals("decimal") || type.equals("date") || type.equals("year")) {
            return new BinlogKeyDecoder(where, type, false, null, false, 0, List.of());
        }
        if (type.equals("datetime") || type.equals("timestamp")) {
            return new BinlogKeyDecoder(where, type, false, null, false, parenthesized(columnType, 0), List.of());
        }
        if (type.equals("binary")) {
            return new BinlogKeyDecoder(where, type, false, null, false, parenthesized(columnType, 1), List.of());
        }
        if (BINARIES.contains(type)) {
            return new BinlogKeyDecoder(where, type, false, null, false, 0, List.of());
        }
        if (TEXTS.contains(type)) {
            String name = column.charset() == null ? "" : column.charset().toLowerCase(Locale.ROOT);
            if (name.equals("binary")) {
                return new BinlogKeyDecoder(where, "varbinary", false, null, false, 0, List.of());
            }
            if (name.equals("latin1")) {
                return new BinlogKeyDecoder(where, type, false, Charset.forName("windows-1252"), true, 0, List.of());
            }
            String java = CHARSETS.get(name);
            if (java == null || !Charset.isSupported(java)) {
                throw new IllegalArgumentException("key column " + where + " has character set " + column.charset()
                        + ", which the binlog reader cannot decode");
            }
            return new BinlogKeyDecoder(where, type, false, Charset.forName(java), false, 0, List.of());
        }
        if (type.equals("enum")) {
            return new BinlogKeyDecoder(where, type, false, null, false, 0, enumLabels(column.columnType()));
        }
        throw new IllegalArgumentException("key column " + where + " is of type " + column.columnType()
                + ", which the binlog reader does not support as a key (supported: integers, decimal, char and text"
                + " types, binary types and blobs, date, datetime, timestamp, year, enum)");
    }

    /** The text of a value of the column; null for SQL NULL. */
    String text(Serializable value) {
        if (value == null) {
            return null;
        }
        try {
            return switch (dataType) {
                case "tinyint", "smallint", "mediumint", "int", "integer", "bigint" -> integer(((Number) value).longValue());
                case "decimal" -> ((BigDecimal) value).toPlainString();
                case "binary" -> HEX.formatHex(Arrays.copyOf((byte[]) value, Math.max(length, ((byte[]) value).length)));
                case "varbinary", "tinyblob", "blob", "mediumblob", "longblob" -> HEX.formatHex((byte[]) value);
                case "date" -> dateTime(value, -1);
                case "datetime" -> dateTime(value, length);
                case "timestamp" -> timestamp((Long) value);
                case "year" -> ((Number) value).intValue() == 1900 ? "0000" : String.valueOf(value);
                case "enum" -> label(((Number) value).intValue());
                default -> value instanceof String s ? s : decode((byte[]) value);
            };
        } catch (ClassCastException e) {
            throw new IllegalStateException("the binlog holds a " + value.getClass().getSimpleName() + " for key column "
                    + where + " (" + dataType + "): the table changed", e);
        }
    }

    private String integer(long value) {
        if (!unsigned) {
            return String.valueOf(value);
        }
        // The binlog client sign-extends every width: an unsigned column's high values arrive negative.
        return dataType.equals("bigint") ? Long.toUnsignedString(value) : String.valueOf(unsignedWidth(value));
    }

    private long unsignedWidth(long value) {
        return switch (dataType) {
            case "tinyint" -> value & 0xFFL;
            case "smallint" -> value & 0xFFFFL;
            case "mediumint" -> value & 0xFFFFFFL;
            case "int", "integer" -> value & 0xFFFFFFFFL;
            default -> value;
        };
    }

    private String decode(byte[] bytes) {
        if (!latin1) {
            return new String(bytes, charset);
        }
        // MySQL's latin1 is cp1252 whose five undefined bytes stand for the C1 controls of the same number.
        StringBuilder text = new StringBuilder(bytes.length);
        String cp1252 = new String(bytes, charset);
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xFF;
            text.append(b == 0x81 || b == 0x8D || b == 0x8F || b == 0x90 || b == 0x9D ? (char) b : cp1252.charAt(i));
        }
        return text.toString();
    }

    private String label(int index) {
        if (index == 0) {
            return "";
        }
        if (index < 0 || index > labels.size()) {
            throw new IllegalStateException("the binlog holds enum index " + index + " for key column " + where
                    + ", which has " + labels.size() + " labels: the table changed");
        }
        return labels.get(index - 1);
    }

    private String timestamp(Long micros) {
        if (micros == 0) {
            // A TIMESTAMP's zero value is stored as the epoch, which is out of its range otherwise.
            return "0000-00-00 00:00:00" + (length > 0 ? "." + "0".repeat(length) : "");
        }
        return dateTime(micros, length);
    }

    /** {@code fsp} < 0: a date alone. */
    private String dateTime(Object value, int fsp) {
        long micros = (Long) value;
        if (micros == Long.MIN_VALUE) {
            throw new IllegalStateException("key column " + where + " holds a zero or partly zero date, which the"
                    + " binlog client cannot represent");
        }
        int year;
        int month;
        int day;
        int hour;
        int minute;
        int second;
        long fraction = Math.floorMod(micros, 1_000_000L);
        if (micros >= GREGORIAN_CUTOVER_MICROS) {
            LocalDateTime t = LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), 0, ZoneOffset.UTC);
            year = t.getYear();
            month = t.getMonthValue();
            day = t.getDayOfMonth();
            hour = t.getHour();
            minute = t.getMinute();
            second = t.getSecond();
        } else {
            // The client computed these with a Gregorian calendar that is Julian before 1582: undo it the same way.
            GregorianCalendar c = new GregorianCalendar(TimeZone.getTimeZone("UTC"), Locale.ROOT);
            c.setTimeInMillis(Math.floorDiv(micros, 1_000L));
            year = c.get(GregorianCalendar.YEAR);
            month = c.get(GregorianCalendar.MONTH) + 1;
            day = c.get(GregorianCalendar.DAY_OF_MONTH);
            hour = c.get(GregorianCalendar.HOUR_OF_DAY);
            minute = c.get(GregorianCalendar.MINUTE);
            second = c.get(GregorianCalendar.SECOND);
        }
        StringBuilder text = new StringBuilder(26);
        text.append(String.format(Locale.ROOT, "%04d-%02d-%02d", year, month, day));
        if (fsp >= 0) {
            text.append(String.format(Locale.ROOT, " %02d:%02d:%02d", hour, minute, second));
            if (fsp > 0) {
                text.append('.').append(String.format(Locale.ROOT, "%06d", fraction), 0, fsp);
            }
        }
        return text.toString();
    }

    /** The number in the first parentheses of {@code columnType}, e.g. 3 in {@code datetime(3)}. */
    static int parenthesized(String columnType, int otherwise) {
        Matcher m = LENGTH.matcher(columnType);
        return m.find() ? Integer.parseInt(m.group(1)) : otherwise;
    }

    /** The labels of {@code enum('a','b''c')}, unquoted, in order. */
    static List<String> enumLabels(String columnType) {
        int open = columnType.indexOf('(');
        if (open < 0) {
            throw new IllegalArgumentException("not an enum type: " + columnType);
        }
        List<String> labels = new ArrayList<>();
        int i = open + 1;
        while (i < columnType.length() && columnType.charAt(i) == '\'') {
            StringBuilder label = new StringBuilder();
            i++;
            while (i < columnType.length()) {
                char c = columnType.charAt(i);
                if (c == '\'' && i + 1 < columnType.length() && columnType.charAt(i + 1) == '\'') {
                    label.append('\'');
                    i += 2;
                } else if (c == '\'') {
                    i++;
                    break;
                } else if (c == '\\' && i + 1 < columnType.length()) {
                    label.append(unescaped(columnType.charAt(i + 1)));
                    i += 2;
                } else {
                    label.append(c);
                    i++;
                }
            }
            labels.add(label.toString());
            if (i < columnType.length() && columnType.charAt(i) == ',') {
                i++;
            }
        }
        return List.copyOf(labels);
    }

    private static char unescaped(char c) {
        return switch (c) {
            case '0' -> '\0';
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'Z' -> '\u001A';
            default -> c;
        };
    }
}
