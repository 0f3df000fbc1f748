package io.connectors.functional.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Documents already serialized as {@code _bulk} NDJSON ({@code {"index":{"_id":...}}} line, then the document
 * line), written once to a file so that the Elasticsearch ceiling sends bytes without serializing anything, at any
 * size: memory holds one offset per document, not the documents.
 *
 * <p>Documents are stored back to back, so any run of consecutive documents is one contiguous byte range and a
 * {@code _bulk} body of any batch size is a single positional read (from the page cache, since the file was just
 * written). Reading is thread-safe.
 */
final class BulkCorpus implements Closeable {
    private static final JsonFactory JSON = new JsonFactory();

    private final Path file;
    private final FileChannel channel;
    /** {@code offsets[i]} is where document {@code i}'s action line starts; {@code offsets[n]} is the file size. */
    private final long[] offsets;

    private BulkCorpus(Path file, long[] offsets) throws IOException {
        this.file = file;
        this.offsets = offsets;
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
    }

    /** Starts a corpus in {@code file} (replaced if it exists). */
    static Writer writer(Path file) throws IOException {
        return new Writer(file);
    }

    /** The action line of an index operation with this {@code _id}, newline included: what the daemon sends. */
    static byte[] actionLine(String id) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(id.length() + 24);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeObjectFieldStart("index");
            g.writeStringField("_id", id);
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory failed", e);
        }
        out.write('\n');
        return out.toByteArray();
    }

    int documents() {
        return offsets.length - 1;
    }

    /** Bytes of NDJSON, action lines included. */
    long bytes() {
        return offsets[offsets.length - 1];
    }

    Path file() {
        return file;
    }

    /**
     * The corpus cut into {@code _bulk} bodies of {@code batchSize} documents (the last one may be shorter), limited
     * to the first {@code limit} documents.
     */
    List<Body> bodies(int batchSize, int limit) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be positive, not " + batchSize);
        }
        int n = Math.min(limit, documents());
        List<Body> bodies = new ArrayList<>(n / batchSize + 1);
        for (int first = 0; first < n; first += batchSize) {
            int count = Math.min(batchSize, n - first);
            bodies.add(new Body(first, count, offsets[first], offsets[first + count]));
        }
        return bodies;
    }

    List<Body> bodies(int batchSize) {
        return bodies(batchSize, documents());
    }

    /** The bytes of one body. */
    byte[] read(Body body) throws IOException {
        long length = body.to() - body.from();
        if (length > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("a body of " + length + " bytes is too large for one request");
        }
        byte[] bytes = new byte[(int) length];
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        long position = body.from();
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, position);
            if (read < 0) {
                throw new EOFException(file + " ended at " + position + ", before " + body.to());
            }
            position += read;
        }
        return bytes;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /**
     * One {@code _bulk} request body: documents {@code first .. first+count-1}, bytes {@code [from, to)}.
     */
    record Body(int first, int count, long from, long to) {
    }

    /** Appends documents; not thread-safe. */
    static final class Writer implements Closeable {
        private final Path file;
        private final OutputStream out;
        private long[] offsets = new long[1024];
        private int count;
        private long position;

        private Writer(Path file) throws IOException {
            this.file = file;
            Files.createDirectories(file.toAbsolutePath().getParent());
            this.out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 20);
        }

        /**
         * Appends one document.
         *
         * @param id   its {@code _id}
         * @param json its complete JSON source, on one line (as {@code DocumentSerializer} writes it)
         */
        void add(String id, byte[] json) throws IOException {
            for (byte b : json) {
                if (b == '\n' || b == '\r') {
                    throw new IllegalArgumentException("document " + id + " is not on one line; _bulk needs NDJSON");
                }
            }
            byte[] action = actionLine(id);
            if (count + 1 >= offsets.length) {
                offsets = Arrays.copyOf(offsets, offsets.length * 2);
            }
            offsets[count++] = position;
            out.write(action);
            out.write(json);
            out.write('\n');
            position += action.length + json.length + 1L;
        }

        int count() {
            return count;
        }

        /** Flushes and opens the corpus for reading. */
        BulkCorpus finish() throws IOException {
            out.close();
            long[] exact = Arrays.copyOf(offsets, count + 1);
            exact[count] = position;
            return new BulkCorpus(file, exact);
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
