package io.connectors.source.directory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.metadata.TikaCoreProperties;
import org.apache.tika.mime.MediaType;
import org.apache.tika.mime.MimeTypes;

/**
 * Reads what a document needs from a file: its MIME type (Tika: by name, else by magic bytes) and, for a text file no
 * larger than the configured limit, its text. Reads at most {@code max(max_content_size + 1, magic length)}
 * bytes, whatever the file's size.
 */
final class FileExtractor {

    /** Why a file has, or has no, {@code content}. */
    enum Text { EXTRACTED, BINARY, TOO_LARGE, NOT_REQUESTED }

    /**
     * @param mimeType the detected MIME type, without parameters
     * @param text     the outcome of text extraction
     * @param content  the text when {@code text} is {@link Text#EXTRACTED}, else {@code null}
     */
    record Extracted(String mimeType, Text text, String content) {
    }

    private static final char BYTE_ORDER_MARK = '\uFEFF';

    private final boolean extractText;
    private final long maxContentSize;

    FileExtractor(boolean extractText, long maxContentSize) {
        this.extractText = extractText;
        this.maxContentSize = maxContentSize;
    }

    /**
     * @param name    the file name, a hint for MIME detection
     * @param channel the open file, read from its current position
     * @param size    the size the file had when listed
     */
    Extracted extract(String name, ReadableByteChannel channel, long size) throws IOException {
        int magicLength = MimeTypesHolder.INSTANCE.getMinLength();
        boolean wantText = extractText && size <= maxContentSize;
        int limit = wantText ? (int) Math.max(maxContentSize + 1, magicLength) : magicLength;
        byte[] bytes = readUpTo(channel, limit, size);
        String mimeType = detect(name, bytes, magicLength);
        if (!extractText) {
            return new Extracted(mimeType, Text.NOT_REQUESTED, null);
        }
        if (!wantText || bytes.length > maxContentSize) {
            return new Extracted(mimeType, Text.TOO_LARGE, null);
        }
        String content = decode(bytes);
        return content == null
                ? new Extracted(mimeType, Text.BINARY, null)
                : new Extracted(mimeType, Text.EXTRACTED, content);
    }

    /** Reads until end of file or {@code limit} bytes; a file that grew since it was listed is read up to the limit. */
    static byte[] readUpTo(ReadableByteChannel channel, int limit, long sizeHint) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(limit, Math.max(sizeHint, 0) + 1));
        while (true) {
            if (!buffer.hasRemaining()) {
                if (buffer.capacity() >= limit) {
                    break;
                }
                ByteBuffer larger = ByteBuffer.allocate((int) Math.min(limit, buffer.capacity() * 2L));
                buffer.flip();
                larger.put(buffer);
                buffer = larger;
            }
            if (channel.read(buffer) < 0) {
                break;
            }
        }
        return Arrays.copyOf(buffer.array(), buffer.position());
    }

    /** The text of {@code bytes}, or {@code null} when they are not text: a NUL byte, or not valid UTF-8. */
    static String decode(byte[] bytes) {
        for (byte b : bytes) {
            if (b == 0) {
                return null;
            }
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
            return !text.isEmpty() && text.charAt(0) == BYTE_ORDER_MARK ? text.substring(1) : text;
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /**
     * The name decides when it maps to a type; the magic bytes are consulted only when it does not. Evaluating
     * Tika's whole magic table costs about 0.3 ms per file and dominated a walk of small files, while a known
     * extension is what users (and most tools) go by.
     */
    private static String detect(String name, byte[] bytes, int magicLength) throws IOException {
        Metadata metadata = new Metadata();
        metadata.set(TikaCoreProperties.RESOURCE_NAME_KEY, name);
        MediaType byName = MimeTypesHolder.INSTANCE.detect(null, metadata);
        if (!MediaType.OCTET_STREAM.equals(byName)) {
            return byName.getBaseType().toString();
        }
        ByteArrayInputStream head = new ByteArrayInputStream(bytes, 0, Math.min(bytes.length, magicLength));
        return MimeTypesHolder.INSTANCE.detect(head, metadata).getBaseType().toString();
    }

    /** Loads Tika's MIME database on first use, on the walking thread, not when the source is created. */
    private static final class MimeTypesHolder {
        static final MimeTypes INSTANCE = MimeTypes.getDefaultMimeTypes();
    }
}
