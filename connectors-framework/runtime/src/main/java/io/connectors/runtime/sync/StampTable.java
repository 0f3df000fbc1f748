package io.connectors.runtime.sync;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The ids and version stamps an index held when a full sync started, on disk, for the whole sync: every source
 * document is compared with it locally (no request per document), and what no source document claimed is what the
 * source no longer has. One read of the index's doc values replaces a lookup per batch and a second, sorted scan for
 * deletions.
 *
 * <h2>Layout</h2>
 * Records ({@code idLength, stampLength, id, stamp}, UTF-8) are appended to a temporary file while the index is
 * scanned; an open-addressing table in memory maps each id to its record: one {@code long} per slot, the record's
 * offset in the low 40 bits and 24 bits of the id's hash above, at most two thirds full. A lookup reads the record
 * it finds (one positional read, from the page cache) and compares the id itself, so the answer is exact whatever
 * the hashes do. Memory: 8 bytes per slot (12 to 16 bytes per stored document) and a bit per slot for "claimed";
 * the ids and stamps stay on disk.
 *
 * <p>{@link #add} is called by one thread while loading; after {@link #loaded()}, {@link #compare} and {@link #claim} are safe from any
 * number of threads.
 */
final class StampTable implements AutoCloseable {
    private static final int OFFSET_BITS = 40;
    private static final long OFFSET_MASK = (1L << OFFSET_BITS) - 1;
    private static final int READ_AHEAD = 640;

    /** What a source document's id and stamp are, against the index. */
    enum Match {
        /** Stored with this stamp: nothing to write. */
        UNCHANGED,
        /** Stored with another stamp (or none): to be rewritten. */
        CHANGED,
        /** Not stored. */
        NEW
    }

    private final Path file;
    private final OutputStream out;
    private final FileChannel channel;
    private final long[] slots;
    /** Each reading thread's buffer: no allocation per lookup. */
    private final ThreadLocal<ByteBuffer> buffers = ThreadLocal.withInitial(() -> ByteBuffer.allocate(READ_AHEAD));
    private final AtomicLongArray claimed;
    private final int mask;
    private long written;
    private long size;
    private boolean loading = true;

    /**
     * @param dir      where the record file goes (deleted by {@link #close()})
     * @param expected how many records will be added; the table is sized for it and refuses more
     */
    StampTable(Path dir, long expected) throws IOException {
        if (expected > (1L << 29)) {
            throw new IllegalArgumentException("an index of " + expected + " documents is more than one sync can compare");
        }
        int capacity = Integer.highestOneBit((int) Math.max(16, expected + expected / 2 + 1)) << 1;
        this.slots = new long[capacity];
        Arrays.fill(slots, -1L);
        this.claimed = new AtomicLongArray((capacity + 63) >>> 6);
        this.mask = capacity - 1;
        this.file = SpillFiles.create(dir, "stamps");
        this.channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        this.out = new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(channel), 1 << 16);
    }

    /** Adds a stored document; {@code stamp} is {@code null} for a document written without one. */
    void add(String id, String stamp) {
        if (!loading) {
            throw new IllegalStateException("the table is loaded");
        }
        if (size * 3 >= (long) slots.length * 2) {
            throw new IllegalStateException("more documents than the " + slots.length * 2 / 3 + " the table was sized for");
        }
        byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
        byte[] stampBytes = stamp == null ? new byte[0] : stamp.getBytes(StandardCharsets.UTF_8);
        long offset = written;
        try {
            writeShort(idBytes.length);
            writeShort(stampBytes.length);
            out.write(idBytes);
            out.write(stampBytes);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file + " failed", e);
        }
        written += 4L + idBytes.length + stampBytes.length;
        if (written >= OFFSET_MASK) {
            throw new IllegalStateException("the stored ids and stamps take more than 1 TB");
        }
        long h = hash(idBytes);
        int slot = (int) h & mask;
        while (slots[slot] != -1L) {
            slot = (slot + 1) & mask;
        }
        slots[slot] = tag(h) << OFFSET_BITS | offset;
        size++;
    }

    /** Ends loading: from now on the table is read, and claimed from any thread. */
    void loaded() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file + " failed", e);
        }
        loading = false;
    }

    /** Documents stored. */
    long size() {
        return size;
    }

    /**
     * Compares a source document with what is stored. An unchanged document's id is {@linkplain #claim claimed} at
     * once; a changed or new one is claimed by whoever writes it (it may yet be excluded by the rules, or vanish).
     */
    Match compare(String id, String stamp) {
        return find(id, stamp, true);
    }

    /** Claims a stored id: it is not reported by {@link #nextUnclaimed}. An id that is not stored is ignored. */
    void claim(String id) {
        find(id, null, false);
    }

    private Match find(String id, String stamp, boolean claimOnlyIfUnchanged) {
        byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
        long h = hash(idBytes);
        long tag = tag(h);
        int slot = (int) h & mask;
        while (true) {
            long entry = slots[slot];
            if (entry == -1L) {
                return Match.NEW;
            }
            if (entry >>> OFFSET_BITS == tag) {
                ByteBuffer r = read(entry & OFFSET_MASK);
                int idLength = Short.toUnsignedInt(r.getShort(0));
                int stampLength = Short.toUnsignedInt(r.getShort(2));
                if (Arrays.equals(r.array(), 4, 4 + idLength, idBytes, 0, idBytes.length)) {
                    Match match = Match.CHANGED;
                    if (stamp != null && stampLength > 0) {
                        byte[] stampBytes = stamp.getBytes(StandardCharsets.UTF_8);
                        if (Arrays.equals(r.array(), 4 + idLength, 4 + idLength + stampLength, stampBytes, 0,
                                stampBytes.length)) {
                            match = Match.UNCHANGED;
                        }
                    }
                    if (match == Match.UNCHANGED || !claimOnlyIfUnchanged) {
                        int bit = slot;
                        claimed.getAndUpdate(bit >>> 6, bits -> bits | 1L << (bit & 63));
                    }
                    return match;
                }
            }
            slot = (slot + 1) & mask;
        }
    }

    /**
     * Forgets every claim: a split full sync claims anew from the ids its splits saved, which cover the reads of every
     * worker and every attempt, not only this process's.
     */
    void resetClaims() {
        for (int i = 0; i < claimed.length(); i++) {
            claimed.set(i, 0L);
        }
    }

    /** The first slot at or after {@code from} holding a stored id nobody claimed, or {@code -1}. */
    int nextUnclaimed(int from) {
        for (int slot = from; slot < slots.length; slot++) {
            if (slots[slot] != -1L && (claimed.get(slot >>> 6) & 1L << (slot & 63)) == 0) {
                return slot;
            }
        }
        return -1;
    }

    /** The id stored in a slot {@link #nextUnclaimed} returned. */
    String idAt(int slot) {
        ByteBuffer r = read(slots[slot] & OFFSET_MASK);
        return new String(r.array(), 4, Short.toUnsignedInt(r.getShort(0)), StandardCharsets.UTF_8);
    }

    /**
     * The record at {@code offset}, from its first byte, in a heap buffer owned by the calling thread (valid until
     * its next read).
     */
    private ByteBuffer read(long offset) {
        try {
            ByteBuffer buffer = buffers.get().clear();
            readFully(buffer, offset, 4);
            int length = 4 + Short.toUnsignedInt(buffer.getShort(0)) + Short.toUnsignedInt(buffer.getShort(2));
            if (length > buffer.capacity()) {
                ByteBuffer larger = ByteBuffer.allocate(Integer.highestOneBit(length) << 1);
                larger.put(buffer.flip());
                buffers.set(larger);
                buffer = larger;
            }
            readFully(buffer, offset, length);
            return buffer;
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file + " failed", e);
        }
    }

    /** Reads from {@code offset + buffer.position()} until at least {@code atLeast} bytes are in the buffer. */
    private void readFully(ByteBuffer buffer, long offset, int atLeast) throws IOException {
        while (buffer.position() < atLeast) {
            int n = channel.read(buffer, offset + buffer.position());
            if (n < 0) {
                throw new IOException("unexpected end of " + file);
            }
        }
    }

    private void writeShort(int v) throws IOException {
        if (v > 0xFFFF) {
            throw new IllegalArgumentException("an id or stamp of " + v + " bytes is longer than 65535 bytes");
        }
        out.write(v >>> 8);
        out.write(v);
    }

    private static long tag(long hash) {
        return hash >>> OFFSET_BITS;
    }

    /** 64-bit FNV-1a, then a murmur3 finaliser so that the low bits (the slot) and the high bits (the tag) both mix. */
    private static long hash(byte[] bytes) {
        long h = 0xcbf29ce484222325L;
        for (byte b : bytes) {
            h ^= b;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            // The file is deleted next; a failed flush of it loses nothing.
        }
        try {
            channel.close();
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("deleting " + file + " failed", e);
        }
    }
}
