package io.connectors.runtime.sync;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
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
import java.util.List;
import java.util.PriorityQueue;

/**
 * The set of ids seen in the source during a full sync, kept in bounded memory: ids are collected in chunks, each
 * chunk is sorted and spilled to a temporary file, and the files are merged on read. Memory is one chunk plus
 * one read buffer per spilled file, whatever the number of documents.
 *
 * <p>Ids are ordered by their unsigned UTF-8 bytes, the order Elasticsearch sorts {@code keyword} values in, so the
 * set can be merged with a sorted scan of the index. Blocking I/O: call from a thread that may block. Not
 * thread-safe.
 */
final class ExternalIdSorter implements Closeable {
    static final Comparator<byte[]> ORDER = Arrays::compareUnsigned;

    private final Path tempDir;
    private final int chunkSize;
    private final List<Path> runs = new ArrayList<>();
    private List<byte[]> chunk = new ArrayList<>();
    private long count;

    ExternalIdSorter(Path tempDir, int chunkSize) {
        this.tempDir = tempDir;
        this.chunkSize = chunkSize;
    }

    void add(String id) {
        chunk.add(id.getBytes(StandardCharsets.UTF_8));
        count++;
        if (chunk.size() >= chunkSize) {
            spill();
        }
    }

    /** Ids added (duplicates included). */
    long count() {
        return count;
    }

    /** Files spilled so far. */
    int spilledRuns() {
        return runs.size();
    }

    private void spill() {
        chunk.sort(ORDER);
        try {
            Files.createDirectories(tempDir);
            Path file = Files.createTempFile(tempDir, "connectors-ids-", ".run");
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16))) {
                for (byte[] id : chunk) {
                    out.writeInt(id.length);
                    out.write(id);
                }
            }
            runs.add(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot spill source ids to " + tempDir + ": " + e.getMessage(), e);
        }
        chunk = new ArrayList<>();
    }

    /**
     * Ends collection and returns a cursor over the ids in ascending order. Ask it about ids in ascending order.
     */
    Cursor cursor() {
        chunk.sort(ORDER);
        List<Run> sources = new ArrayList<>();
        try {
            for (Path file : runs) {
                sources.add(new FileRun(file));
            }
        } catch (IOException e) {
            sources.forEach(Run::closeQuietly);
            throw new UncheckedIOException("cannot read spilled source ids: " + e.getMessage(), e);
        }
        sources.add(new MemoryRun(chunk));
        return new Cursor(sources);
    }

    @Override
    public void close() {
        for (Path file : runs) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // Left in the temporary folder; nothing else depends on it.
            }
        }
        runs.clear();
        chunk = new ArrayList<>();
    }

    /** Answers membership for ids asked in ascending order, by merging the sorted runs. */
    static final class Cursor implements Closeable {
        private final PriorityQueue<Run> heads = new PriorityQueue<>((a, b) -> ORDER.compare(a.head, b.head));
        private final List<Run> all;

        private Cursor(List<Run> runs) {
            this.all = runs;
            for (Run r : runs) {
                if (r.advance()) {
                    heads.add(r);
                }
            }
        }

        /** Whether {@code id} was added; ids must be asked in ascending {@link #ORDER}. */
        boolean contains(byte[] id) {
            while (!heads.isEmpty()) {
                Run top = heads.peek();
                int cmp = ORDER.compare(top.head, id);
                if (cmp > 0) {
                    return false;
                }
                if (cmp == 0) {
                    return true;
                }
                heads.poll();
                if (top.advance()) {
                    heads.add(top);
                }
            }
            return false;
        }

        boolean contains(String id) {
            return contains(id.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void close() {
            all.forEach(Run::closeQuietly);
        }
    }

    private abstract static class Run {
        byte[] head;

        abstract boolean advance();

        void closeQuietly() {
        }
    }

    private static final class MemoryRun extends Run {
        private final List<byte[]> ids;
        private int next;

        MemoryRun(List<byte[]> ids) {
            this.ids = ids;
        }

        @Override
        boolean advance() {
            if (next >= ids.size()) {
                return false;
            }
            head = ids.get(next++);
            return true;
        }
    }

    private static final class FileRun extends Run {
        private final DataInputStream in;
        private final Path file;

        FileRun(Path file) throws IOException {
            this.file = file;
            this.in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
        }

        @Override
        boolean advance() {
            try {
                int length = in.readInt();
                byte[] id = new byte[length];
                in.readFully(id);
                head = id;
                return true;
            } catch (EOFException e) {
                return false;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read spilled source ids from " + file + ": " + e.getMessage(), e);
            }
        }

        @Override
        void closeQuietly() {
            try {
                in.close();
            } catch (IOException e) {
                // Reading is over; the file is deleted by the sorter.
            }
        }
    }
}
