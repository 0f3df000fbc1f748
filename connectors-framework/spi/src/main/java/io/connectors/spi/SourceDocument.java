package io.connectors.spi;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One document read from a source. Immutable.
 *
 * <h2>Fields</h2>
 * Values must be JSON-compatible, and the runtime serializes them faithfully:
 * <ul>
 *   <li>{@code null}, {@code String}, {@code Boolean};</li>
 *   <li>numbers: {@code Integer}, {@code Long}, {@code Double}, {@code Float}, {@code BigInteger} and
 *       {@code BigDecimal} (written exactly, no precision lost);</li>
 *   <li>dates and times from {@code java.time} ({@code Instant}, {@code OffsetDateTime}, {@code ZonedDateTime},
 *       {@code LocalDate}, {@code LocalDateTime}, {@code LocalTime}): ISO-8601 strings, offsets kept;</li>
 *   <li>binary ({@code byte[]}, {@code ByteBuffer}): base64 strings; {@code UUID}: its canonical string;</li>
 *   <li>nested {@code Map<String, ?>} objects and {@code List}/{@code Collection}/array values, to any depth.</li>
 * </ul>
 * Any other type makes that one document fail (counted, logged once with its id and field path), not the sync.
 * Field names starting with {@code _sync} are reserved for the runtime.
 *
 * <h2>Identity and version</h2>
 * {@link #id()} is stable across syncs. {@link #version()}, when the source knows one cheaply (a modification
 * time, a row version), lets the runtime skip unchanged documents without hashing; without it the runtime
 * hashes the fields.
 */
public final class SourceDocument {
    private final String id;
    private final String version;
    private final Map<String, Object> fields;
    private final LazyBody body;

    private SourceDocument(Builder b) {
        this.id = b.id;
        this.version = b.version;
        this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(b.fields));
        this.body = b.body;
    }

    /** Starts a document with the given stable id (non-empty; any length, long ids are hashed by the runtime). */
    public static Builder builder(String id) {
        return new Builder(id);
    }

    /** The stable id, as the source knows it. */
    public String id() {
        return id;
    }

    /** The source's version of this document, if it has one. */
    public Optional<String> version() {
        return Optional.ofNullable(version);
    }

    /** The fields, in insertion order; unmodifiable. */
    public Map<String, Object> fields() {
        return fields;
    }

    /** The binary content to extract text from, read only if the runtime asks for it. */
    public Optional<LazyBody> body() {
        return Optional.ofNullable(body);
    }

    @Override
    public String toString() {
        return "SourceDocument[id=" + id + ", version=" + version + ", fields=" + fields.keySet() + "]";
    }

    /** Builds a {@link SourceDocument}; not thread-safe. */
    public static final class Builder {
        private final String id;
        private String version;
        private final Map<String, Object> fields = new LinkedHashMap<>();
        private LazyBody body;

        private Builder(String id) {
            Objects.requireNonNull(id, "id");
            if (id.isEmpty()) {
                throw new IllegalArgumentException("document id must not be empty");
            }
            this.id = id;
        }

        /** Sets the source's version of the document (a row version, an etag, ...). */
        public Builder version(String value) {
            this.version = value;
            return this;
        }

        /** Uses a timestamp as the version (e.g. a modification time). */
        public Builder version(Instant timestamp) {
            this.version = timestamp == null ? null : timestamp.toString();
            return this;
        }

        /** Sets a field; a {@code null} value is kept as an explicit JSON null. */
        public Builder field(String name, Object value) {
            Objects.requireNonNull(name, "field name");
            if (name.startsWith("_sync")) {
                throw new IllegalArgumentException("field names starting with _sync are reserved: " + name);
            }
            fields.put(name, value);
            return this;
        }

        /** Sets several fields, in the map's iteration order. */
        public Builder fields(Map<String, ?> values) {
            values.forEach(this::field);
            return this;
        }

        /** Attaches binary content for the runtime to extract text from. */
        public Builder body(LazyBody value) {
            this.body = value;
            return this;
        }

        /** The immutable document; the builder may be reused afterwards. */
        public SourceDocument build() {
            return new SourceDocument(this);
        }
    }
}
