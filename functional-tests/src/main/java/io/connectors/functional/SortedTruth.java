package io.connectors.functional;

import io.connectors.runtime.sync.DocIds;
import io.connectors.testkit.functional.SourceFixture.Truth;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;

/**
 * A fixture's ground truth in the order of the index's {@code _id}s: by {@link DocIds#normalize normalized} id, as
 * unsigned UTF-8 bytes (the order Elasticsearch sorts {@code _sync_id} in).
 *
 * <p>The fixture gives its documents in order of source id. Normalization keeps most ids, and so their order; an id
 * longer than 512 bytes becomes {@code sha256-<hex>}, which sorts elsewhere. The truth is therefore read once, up
 * front: ids that keep their place go to one file as they come; the others are sorted in chunks spilled to files.
 * Iterating merges those files. Memory: one chunk and one read buffer per file, whatever the number of documents.
 */
final class SortedTruth implements Iterator<SortedTruth.Entry>, AutoCloseable {
    private static final Comparator<byte[]> UNSIGNED = Arrays::compareUnsigned;

    /**
     * One document of the truth.
     *
     * @param id       the {@code _id} the runtime gives it
     * @param sourceId the id the source gives it
     * @param key      {@code id} as UTF-8
     */
    record Entry(String id, String sourceId, String digest, byte[] key) {
        boolean normalized() {
            return !id.equals(sourceId);
        }
    }

    private final List<Run> runs = new ArrayList<>();
    private final PriorityQueue<Run> queue = new PriorityQueue<>((a, b) -> UNSIGNED.compare(a.head.key(), b.head.key()));
    private final long count;

    private SortedTruth(List<Path> files, long count) throws IOException {
        this.count = count;
        try {
            for (Path file : files) {
                Run run = new Run(file);
                runs.add(run);
                if (run.advance()) {
                    queue.add(run);
                }
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Reads {@code truth} to its end, checking that its ids ascend.
     *
     * @param dir   an empty folder for the files; the caller deletes it
     * @param chunk normalized ids held in memory before a sorted chunk is spilled
     * @throws IllegalStateException if the truth is not in ascending order of id, or holds an id twice
     */
    static SortedTruth of(Iterator<Truth> truth, Path dir, int chunk) throws IOException {
        List<Path> files = new ArrayList<>();
        Path inOrder = dir.resolve("in-order.bin");
        files.add(inOrder);
        List<Entry> pending = new ArrayList<>();
        long count = 0;
        byte[] previous = null;
        String previousId = null;
        try (DataOutputStream out = output(inOrder)) {
            while (truth.hasNext()) {
                Truth t = truth.next();
                byte[] raw = t.id().getBytes(StandardCharsets.UTF_8);
                if (previous != null && UNSIGNED.compare(previous, raw) >= 0) {
                    throw new IllegalStateException(UNSIGNED.compare(previous, raw) == 0
                            ? "The fixture's ground truth lists id '" + t.id() + "' twice"
                            : "The fixture's ground truth is not in ascending order of id (unsigned UTF-8 bytes): '"
                                    + previousId + "' comes before '" + t.id() + "'");
                }
                previous = raw;
                previousId = t.id();
                count++;
                String id = DocIds.normalize(t.id());
                Entry entry = new Entry(id, t.id(), String.valueOf(t.digest()),
                        id.equals(t.id()) ? raw : id.getBytes(StandardCharsets.UTF_8));
                if (!entry.normalized()) {
                    write(out, entry);
                    continue;
                }
                pending.add(entry);
                if (pending.size() >= chunk) {
                    files.add(spill(pending, dir.resolve("normalized-" + files.size() + ".bin")));
                }
            }
        }
        if (!pending.isEmpty()) {
            files.add(spill(pending, dir.resolve("normalized-" + files.size() + ".bin")));
        }
        return new SortedTruth(files, count);
    }

    /** Documents in the truth. */
    long count() {
        return count;
    }

    @Override
    public boolean hasNext() {
        return !queue.isEmpty();
    }

    @Override
    public Entry next() {
        Run run = queue.poll();
        if (run == null) {
            throw new NoSuchElementException();
        }
        Entry entry = run.head;
        try {
            if (run.advance()) {
                queue.add(run);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return entry;
    }

    @Override
    public void close() {
        for (Run run : runs) {
            try {
                run.in.close();
            } catch (IOException e) {
                // a read-only file; nothing is lost
            }
        }
    }

    private static Path spill(List<Entry> entries, Path file) throws IOException {
        entries.sort((a, b) -> UNSIGNED.compare(a.key(), b.key()));
        try (DataOutputStream out = output(file)) {
            for (Entry e : entries) {
                write(out, e);
            }
        }
        entries.clear();
        return file;
    }

    private static DataOutputStream output(Path file) throws IOException {
        return new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
    }

    private static void write(DataOutputStream out, Entry e) throws IOException {
        bytes(out, e.key());
        bytes(out, e.digest().getBytes(StandardCharsets.UTF_8));
        bytes(out, e.normalized() ? e.sourceId().getBytes(StandardCharsets.UTF_8) : new byte[0]);
    }

    private static void bytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    /** One sorted file, read an entry at a time. */
    private static final class Run {
        final DataInputStream in;
        Entry head;

        Run(Path file) throws IOException {
            in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
        }

        boolean advance() throws IOException {
            byte[] key;
            try {
                key = bytes();
            } catch (EOFException end) {
                head = null;
                return false;
            }
            String digest = new String(bytes(), StandardCharsets.UTF_8);
            byte[] source = bytes();
            String id = new String(key, StandardCharsets.UTF_8);
            head = new Entry(id, source.length == 0 ? id : new String(source, StandardCharsets.UTF_8), digest, key);
            return true;
        }

        private byte[] bytes() throws IOException {
            byte[] b = new byte[in.readInt()];
            in.readFully(b);
            return b;
        }
    }
}
