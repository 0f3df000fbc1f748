package io.connectors.extraction;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The frames between the daemon and a parser process, over the process's standard input and output.
 *
 * <ul>
 *   <li>The worker announces it is ready with {@link #READY} once its parsers are loaded.</li>
 *   <li>A request: the file's path, its name (a hint for format detection) and a MIME type hint ({@code ""} for
 *       none).</li>
 *   <li>A response: the {@link Extraction.Outcome} name, the reason ({@code ""} for none), the text as length and
 *       UTF-8 bytes, then the metadata: a count, and for each entry its key and its values.</li>
 * </ul>
 * The worker ends when its standard input ends, so a daemon that dies, even by {@code kill -9}, leaves no parser behind.
 */
final class WorkerProtocol {
    static final int READY = 0x52454459;
    /** {@code writeUTF} takes at most 65,535 bytes; a metadata value is cut well below that. */
    static final int MAX_VALUE_CHARS = 8_000;

    private WorkerProtocol() {
    }

    record Request(String path, String name, String mimeType) {
    }

    static void writeRequest(DataOutputStream out, Request request) throws IOException {
        out.writeUTF(request.path());
        out.writeUTF(request.name());
        out.writeUTF(request.mimeType());
        out.flush();
    }

    /** The next request, or {@code null} at the end of the input. */
    static Request readRequest(DataInputStream in) throws IOException {
        String path;
        try {
            path = in.readUTF();
        } catch (java.io.EOFException e) {
            return null;
        }
        return new Request(path, in.readUTF(), in.readUTF());
    }

    static void writeResponse(DataOutputStream out, Extraction extraction) throws IOException {
        out.writeUTF(extraction.outcome().name());
        out.writeUTF(cut(extraction.reason() == null ? "" : extraction.reason()));
        byte[] text = extraction.content().getBytes(StandardCharsets.UTF_8);
        out.writeInt(text.length);
        out.write(text);
        out.writeInt(extraction.metadata().size());
        for (Map.Entry<String, Object> e : extraction.metadata().entrySet()) {
            out.writeUTF(e.getKey());
            List<?> values = e.getValue() instanceof List<?> l ? l : List.of(e.getValue());
            out.writeInt(values.size());
            for (Object v : values) {
                out.writeUTF(cut(String.valueOf(v)));
            }
        }
        out.flush();
    }

    static Extraction readResponse(DataInputStream in, int maxTextBytes) throws IOException {
        Extraction.Outcome outcome;
        String name = in.readUTF();
        try {
            outcome = Extraction.Outcome.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new IOException("the parser process answered an unknown outcome '" + name + "'");
        }
        String reason = in.readUTF();
        int length = in.readInt();
        if (length < 0 || length > maxTextBytes) {
            throw new IOException("the parser process answered " + length + " bytes of text, more than its limit");
        }
        byte[] text = in.readNBytes(length);
        if (text.length != length) {
            throw new java.io.EOFException();
        }
        int entries = in.readInt();
        Map<String, Object> metadata = new LinkedHashMap<>();
        for (int i = 0; i < entries; i++) {
            String key = in.readUTF();
            int count = in.readInt();
            List<String> values = new ArrayList<>(Math.min(count, 64));
            for (int j = 0; j < count; j++) {
                values.add(in.readUTF());
            }
            metadata.put(key, values.size() == 1 ? values.get(0) : List.copyOf(values));
        }
        return new Extraction(outcome, new String(text, StandardCharsets.UTF_8), metadata, reason.isEmpty() ? null : reason);
    }

    private static String cut(String value) {
        return value.length() <= MAX_VALUE_CHARS ? value : value.substring(0, MAX_VALUE_CHARS);
    }
}
