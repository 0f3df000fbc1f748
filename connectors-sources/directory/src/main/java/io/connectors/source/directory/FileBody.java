package io.connectors.source.directory;

import io.connectors.spi.LazyBody;
import io.connectors.spi.SourceException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * The bytes of a file, read only when the runtime subscribes: each subscription opens the file, streams it in
 * chunks on demand, and closes it on completion, error or cancel.
 *
 * @param file           the file
 * @param size           its size when listed
 * @param mimeType       its detected MIME type
 * @param followSymlinks whether a symbolic link in its place is followed
 */
record FileBody(Path file, long size, String mimeType, boolean followSymlinks) implements LazyBody {
    private static final Logger LOG = LoggerFactory.getLogger(FileBody.class);
    static final int CHUNK_SIZE = 64 * 1024;

    @Override
    public String name() {
        return file.getFileName().toString();
    }

    @Override
    public Flux<ByteBuffer> content() {
        // Flux.generate runs its cleanup after the chunk being read, never concurrently with it.
        return Flux.<ByteBuffer, SeekableByteChannel>generate(this::open, (channel, sink) -> {
            try {
                ByteBuffer chunk = ByteBuffer.allocate(CHUNK_SIZE);
                if (channel.read(chunk) < 0) {
                    sink.complete();
                } else {
                    sink.next(chunk.flip());
                }
            } catch (IOException e) {
                sink.error(new SourceException("cannot read " + file + ": " + e.getMessage(), e));
            }
            return channel;
        }, this::close).subscribeOn(Schedulers.boundedElastic());
    }

    private SeekableByteChannel open() {
        OpenOption[] options = followSymlinks
                ? new OpenOption[] {StandardOpenOption.READ}
                : new OpenOption[] {StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS};
        try {
            return Files.newByteChannel(file, options);
        } catch (IOException e) {
            throw new SourceException("cannot open " + file + ": " + e.getMessage(), e);
        }
    }

    private void close(SeekableByteChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("could not close {}", file, e);
        }
    }
}
