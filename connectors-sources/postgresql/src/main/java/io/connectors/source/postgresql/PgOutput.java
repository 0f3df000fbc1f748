package io.connectors.source.postgresql;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The messages of PostgreSQL's {@code pgoutput} logical decoding plugin, protocol version 1, as the real-time mode
 * reads them from a replication slot: one message per call to {@link #decode}, from its first byte (the message type)
 * to its end. Only what the source needs is kept; a message of a type it does not use decodes to {@link Other}.
 *
 * <p>Layout (PostgreSQL's "Logical Replication Message Formats"): integers big-endian, strings NUL-terminated in the
 * server's encoding (UTF-8 for the databases this source reads), times in microseconds since 2000-01-01 UTC, and
 * tuple data as a column count followed, per column, by {@code n} (null), {@code u} (an unchanged TOASTed value,
 * not sent) or {@code t} (text: a length and the value in the type's text form).
 */
final class PgOutput {
    /** Microseconds from the Unix epoch to PostgreSQL's, 2000-01-01T00:00:00Z. */
    private static final long POSTGRES_EPOCH_MICROS = 946_684_800_000_000L;

    private PgOutput() {
    }

    /** A decoded message. */
    sealed interface Message permits Begin, Commit, Relation, Insert, Update, Delete, Truncate, Other {
    }

    /** A transaction starts; its changes follow, then its {@link Commit}. */
    record Begin(long finalLsn, Instant committedAt, long xid) implements Message {
    }

    /** A transaction committed; {@code endLsn} is where the next one starts: the position to confirm once applied. */
    record Commit(long commitLsn, long endLsn, Instant committedAt) implements Message {
    }

    /**
     * A table's shape, sent before its first change in a session and again after it changes (a column added, dropped,
     * retyped): the columns of the tuples that follow.
     *
     * @param replicaIdentity {@code d} (primary key), {@code n} (nothing), {@code f} (full row), {@code i} (index)
     */
    record Relation(int oid, String schema, String table, char replicaIdentity, List<Column> columns) implements Message {
        public Relation {
            columns = List.copyOf(columns);
        }
    }

    /** A column of a {@link Relation}: its name, its type's OID and modifier, and whether it is part of the key. */
    record Column(String name, int typeOid, int typeModifier, boolean key) {
    }

    /** One column's value in a tuple. */
    sealed interface Value permits Null, Unchanged, Text {
    }

    /** SQL NULL. */
    record Null() implements Value {
    }

    /** An unchanged TOASTed value, not sent: the stored one still holds. */
    record Unchanged() implements Value {
    }

    /** A value in its type's text form. */
    record Text(String text) implements Value {
    }

    static final Null NULL = new Null();
    static final Unchanged UNCHANGED = new Unchanged();

    /** A row inserted into the relation {@code oid}. */
    record Insert(int oid, List<Value> row) implements Message {
        public Insert {
            row = List.copyOf(row);
        }
    }

    /**
     * A row updated. {@code oldKey} is the old key when it changed ({@code K}), {@code oldRow} the whole old row under
     * {@code REPLICA IDENTITY FULL} ({@code O}); both are empty otherwise.
     */
    record Update(int oid, List<Value> oldKey, List<Value> oldRow, List<Value> row) implements Message {
        public Update {
            oldKey = List.copyOf(oldKey);
            oldRow = List.copyOf(oldRow);
            row = List.copyOf(row);
        }
    }

    /** A row deleted: its key ({@code K}), or its whole row under {@code REPLICA IDENTITY FULL} ({@code O}). */
    record Delete(int oid, List<Value> key, boolean fullRow) implements Message {
        public Delete {
            key = List.copyOf(key);
        }
    }

    /** Tables truncated. */
    record Truncate(List<Integer> oids, boolean cascade, boolean restartIdentity) implements Message {
        public Truncate {
            oids = List.copyOf(oids);
        }
    }

    /** A message the source does not use (origin, type, logical message...), by its type byte. */
    record Other(char type) implements Message {
    }

    /**
     * Decodes one message.
     *
     * @throws IllegalArgumentException naming the message type and the offset when the bytes do not follow the
     *                                  protocol (cut short, an unknown tuple kind)
     */
    static Message decode(ByteBuffer bytes) {
        ByteBuffer in = bytes.slice();
        char type = (char) in.get();
        try {
            Message m = switch (type) {
                case 'B' -> new Begin(in.getLong(), time(in.getLong()), Integer.toUnsignedLong(in.getInt()));
                case 'C' -> {
                    in.get(); // flags, unused
                    yield new Commit(in.getLong(), in.getLong(), time(in.getLong()));
                }
                case 'R' -> relation(in);
                case 'I' -> {
                    int oid = in.getInt();
                    expect(in, 'N');
                    yield new Insert(oid, tuple(in));
                }
                case 'U' -> update(in);
                case 'D' -> {
                    int oid = in.getInt();
                    char kind = (char) in.get();
                    if (kind != 'K' && kind != 'O') {
                        throw new IllegalArgumentException("a delete's old tuple is '" + kind + "', not K or O");
                    }
                    yield new Delete(oid, tuple(in), kind == 'O');
                }
                case 'T' -> {
                    int count = in.getInt();
                    int options = in.get();
                    List<Integer> oids = new ArrayList<>(count);
                    for (int i = 0; i < count; i++) {
                        oids.add(in.getInt());
                    }
                    yield new Truncate(oids, (options & 1) != 0, (options & 2) != 0);
                }
                default -> new Other(type);
            };
            return m;
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("pgoutput message '" + type + "' is cut short at byte " + in.position()
                    + " of " + in.limit(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("pgoutput message '" + type + "' at byte " + in.position() + ": "
                    + e.getMessage(), e);
        }
    }

    private static Relation relation(ByteBuffer in) {
        int oid = in.getInt();
        String schema = string(in);
        String table = string(in);
        char identity = (char) in.get();
        int count = Short.toUnsignedInt(in.getShort());
        List<Column> columns = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            boolean key = (in.get() & 1) != 0;
            columns.add(new Column(string(in), in.getInt(), in.getInt(), key));
        }
        return new Relation(oid, schema, table, identity, columns);
    }

    private static Update update(ByteBuffer in) {
        int oid = in.getInt();
        char kind = (char) in.get();
        List<Value> oldKey = List.of();
        List<Value> oldRow = List.of();
        if (kind == 'K') {
            oldKey = tuple(in);
            kind = (char) in.get();
        } else if (kind == 'O') {
            oldRow = tuple(in);
            kind = (char) in.get();
        }
        if (kind != 'N') {
            throw new IllegalArgumentException("an update's new tuple is '" + kind + "', not N");
        }
        return new Update(oid, oldKey, oldRow, tuple(in));
    }

    private static List<Value> tuple(ByteBuffer in) {
        int count = Short.toUnsignedInt(in.getShort());
        List<Value> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            char kind = (char) in.get();
            values.add(switch (kind) {
                case 'n' -> NULL;
                case 'u' -> UNCHANGED;
                case 't' -> {
                    int length = in.getInt();
                    byte[] text = new byte[length];
                    in.get(text);
                    yield new Text(new String(text, StandardCharsets.UTF_8));
                }
                default -> throw new IllegalArgumentException("column " + i + " of a tuple is of kind '" + kind
                        + "' (expected n, u or t: binary tuples are not asked for)");
            });
        }
        return values;
    }

    private static void expect(ByteBuffer in, char expected) {
        char got = (char) in.get();
        if (got != expected) {
            throw new IllegalArgumentException("expected '" + expected + "', got '" + got + "'");
        }
    }

    private static String string(ByteBuffer in) {
        int start = in.position();
        int end = start;
        while (in.get(end) != 0) {
            end++;
        }
        byte[] b = new byte[end - start];
        in.get(b);
        in.get(); // the terminating NUL
        return new String(b, StandardCharsets.UTF_8);
    }

    private static Instant time(long micros) {
        long unix = micros + POSTGRES_EPOCH_MICROS;
        return Instant.ofEpochSecond(Math.floorDiv(unix, 1_000_000L), Math.floorMod(unix, 1_000_000L) * 1000L);
    }

    /** An LSN in PostgreSQL's text form: {@code 16/B374D848}. */
    static String lsn(long lsn) {
        return Long.toHexString(lsn >>> 32).toUpperCase(java.util.Locale.ROOT) + "/"
                + Long.toHexString(lsn & 0xFFFF_FFFFL).toUpperCase(java.util.Locale.ROOT);
    }

    /** An LSN from its text form. */
    static long lsn(String text) {
        int slash = Objects.requireNonNull(text, "lsn").indexOf('/');
        if (slash < 1) {
            throw new IllegalArgumentException("'" + text + "' is not an LSN (like 16/B374D848)");
        }
        return (Long.parseLong(text.substring(0, slash), 16) << 32) | Long.parseLong(text.substring(slash + 1), 16);
    }
}
