package io.connectors.runtime.sync;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.connectors.spi.SourceDocument;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.temporal.TemporalAccessor;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;

/**
 * Serializes a {@link SourceDocument} to the JSON stored in Elasticsearch: its fields in a canonical form (map
 * keys sorted, so equal content gives equal bytes), followed by the runtime's bookkeeping fields
 * {@code _sync_id} and {@code _sync_stamp}.
 *
 * <p>The version stamp is {@code <fingerprint>:<version>} where the version is the source's own, or the SHA-256
 * of the canonical fields when the source has none; the fingerprint identifies the connector's configuration,
 * so a configuration change rewrites every document instead of leaving stale content marked unchanged.
 */
public final class DocumentSerializer {
    /** Field holding the normalized id; sorted on when detecting deletions. */
    public static final String ID_FIELD = "_sync_id";
    /**
     * Field holding the version stamp compared to skip unchanged documents; a keyword with doc values, so the engine
     * reads it without loading {@code _source}. (Until format 2 it was {@code _sync_version}, without doc values.)
     */
    public static final String VERSION_FIELD = "_sync_stamp";

    /** The longest number Elasticsearch's JSON parser reads (Jackson's {@code StreamReadConstraints} default). */
    static final int MAX_NUMBER_LENGTH = 1000;

    private final ObjectMapper mapper;
    private final String fingerprint;
    private final boolean schemaless;

    /**
     * @param fingerprint short text identifying the connector configuration the documents were produced with
     */
    public DocumentSerializer(String fingerprint) {
        this(fingerprint, false);
    }

    /**
     * @param fingerprint short text identifying the connector configuration the documents were produced with
     * @param schemaless  whether the source's documents have no fixed shape: then a field holding numbers, text and
     *                    booleans within one document holds them all as text ({@link UniformLeaves})
     */
    public DocumentSerializer(String fingerprint, boolean schemaless) {
        this.fingerprint = fingerprint;
        this.schemaless = schemaless;
        com.fasterxml.jackson.databind.module.SimpleModule numbers = new com.fasterxml.jackson.databind.module.SimpleModule();
        numbers.addSerializer(BigDecimal.class, new LongNumbers<>(BigDecimal.class));
        numbers.addSerializer(BigInteger.class, new LongNumbers<>(BigInteger.class));
        this.mapper = new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .registerModule(numbers)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);
    }

    /** The stamp stored for a document of this version: what a later sync compares without building the document. */
    public String stamp(String version) {
        return fingerprint + ":" + version;
    }

    /**
     * @throws InvalidDocumentException naming the field path when a value cannot be represented in JSON
     */
    public PreparedDocument prepare(SourceDocument doc) {
        checkValue(doc.id(), "", doc.fields(), 0);
        byte[] fields;
        try {
            fields = mapper.writeValueAsBytes(schemaless ? UniformLeaves.of(doc.fields()) : doc.fields());
        } catch (IOException e) {
            throw new InvalidDocumentException(doc.id(), "cannot be serialized: " + e.getMessage());
        }
        String stamp = stamp(doc.version().orElseGet(() -> "sha256:" + HexFormat.of().formatHex(DocIds.sha256(fields))));
        String id = DocIds.normalize(doc.id());
        return new PreparedDocument(id, stamp, appendBookkeeping(fields, id, stamp));
    }

    private byte[] appendBookkeeping(byte[] fields, String id, String stamp) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(fields.length + id.length() + stamp.length() + 40);
        out.write(fields, 0, fields.length - 1); // drop the closing brace
        if (fields.length > 2) {
            out.write(',');
        }
        try {
            out.write(mapper.writeValueAsBytes(ID_FIELD));
            out.write(':');
            out.write(mapper.writeValueAsBytes(id));
            out.write(',');
            out.write(mapper.writeValueAsBytes(VERSION_FIELD));
            out.write(':');
            out.write(mapper.writeValueAsBytes(stamp));
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        out.write('}');
        return out.toByteArray();
    }

    private static void checkValue(String docId, String path, Object value, int depth) {
        if (depth > 100) {
            throw new InvalidDocumentException(docId, "field '" + path + "' is nested more than 100 levels deep");
        }
        if (value == null || value instanceof String || value instanceof Boolean || value instanceof Character
                || value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte
                || value instanceof BigInteger || value instanceof BigDecimal || value instanceof UUID
                || value instanceof byte[] || value instanceof ByteBuffer || value instanceof Enum<?>
                || value instanceof TemporalAccessor || value instanceof java.util.Date) {
            return;
        }
        if (value instanceof Double d) {
            checkFinite(docId, path, d);
            return;
        }
        if (value instanceof Float f) {
            checkFinite(docId, path, f.doubleValue());
            return;
        }
        if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw new InvalidDocumentException(docId, "field '" + path + "' has a non-text key: " + e.getKey());
                }
                checkValue(docId, path.isEmpty() ? key : path + "." + key, e.getValue(), depth + 1);
            }
            return;
        }
        if (value instanceof Collection<?> c) {
            int i = 0;
            for (Object item : c) {
                checkValue(docId, path + "[" + i++ + "]", item, depth + 1);
            }
            return;
        }
        if (value.getClass().isArray()) {
            int n = Array.getLength(value);
            for (int i = 0; i < n; i++) {
                checkValue(docId, path + "[" + i + "]", Array.get(value, i), depth + 1);
            }
            return;
        }
        throw new InvalidDocumentException(docId, "field '" + path + "' holds a " + value.getClass().getName()
                + ", which is not a JSON-compatible value");
    }

    private static void checkFinite(String docId, String path, double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new InvalidDocumentException(docId, "field '" + path + "' is " + d + ", which JSON cannot represent");
        }
    }

    /**
     * Writes a big number as plain digits when Elasticsearch can read them ({@value #MAX_NUMBER_LENGTH} characters at
     * most), else in scientific notation when that is short enough ({@code 1E+6144}: every digit is kept), else as a
     * string of its digits: the document is stored either way, never refused for the length of a number.
     */
    private static final class LongNumbers<T extends Number> extends com.fasterxml.jackson.databind.ser.std.StdSerializer<T> {
        private static final long serialVersionUID = 1L;

        LongNumbers(Class<T> type) {
            super(type);
        }

        @Override
        public void serialize(T value, com.fasterxml.jackson.core.JsonGenerator gen,
                              com.fasterxml.jackson.databind.SerializerProvider provider) throws IOException {
            String plain = value instanceof BigDecimal d ? d.toPlainString() : value.toString();
            if (plain.length() <= MAX_NUMBER_LENGTH) {
                gen.writeNumber(plain);
                return;
            }
            String scientific = value.toString();
            if (value instanceof BigDecimal && scientific.length() <= MAX_NUMBER_LENGTH) {
                gen.writeNumber(scientific);
            } else {
                gen.writeString(plain);
            }
        }
    }

    /** UTF-8 text of serialized JSON, for tests and logs of non-sensitive content. */
    static String text(byte[] json) {
        return new String(json, StandardCharsets.UTF_8);
    }

    /** A document the source produced that cannot be stored; it fails alone, not the sync. */
    public static final class InvalidDocumentException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public InvalidDocumentException(String docId, String problem) {
            super("document '" + docId + "': " + problem);
        }
    }
}
