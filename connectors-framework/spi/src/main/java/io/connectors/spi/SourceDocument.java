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
 *
 * <h2>Built and deferred documents</h2>
 * A document is either <b>built</b> ({@link #builder}: its fields are here) or <b>deferred</b>
 * ({@link #deferred}: only its id, its version and a state private to the source are here). The runtime compares
 * a version with the one stored in the index before anything else, so a deferred document that did not change
 * costs the source nothing more than listing it: its fields are never built, its content never read. Only for
 * the new and changed ones does the runtime ask the source to build them, in batches, with
 * {@link DeferredSource#fetch}. A source emits deferred documents only if it implements {@link DeferredSource}.
 */
public final class SourceDocument {
    private final String id;
    private final String version;
    private final Map<String, Object> fields;
    private final LazyBody body;
    /** The source's private state of a deferred document; {@code null} for a built one. */
    private final Object state;

    private SourceDocument(Builder b) {
        this.id = b.id;
        this.version = b.version;
        this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(b.fields));
        this.body = b.body;
        this.state = null;
    }

    private SourceDocument(String id, String version, Object state) {
        this.id = id;
        this.version = version;
        this.fields = Map.of();
        this.body = null;
        this.state = state;
    }

    /**
     * A deferred document: its id and version now, its fields later, built by {@link DeferredSource#fetch} if the
     * runtime finds it new or changed.
     *
     * @param id      the stable id, as for {@link #builder}
     * @param version the source's version of the item (required: without it nothing can be decided before
     *                building); a new version must mean new content, and the same version the same content
     * @param state   what the source needs to build the document later (a path and its attributes, raw bytes
     *                already read, nothing at all when the id is enough); handed back as {@link #state()}. It is
     *                held until the document is built or found unchanged, so keep it small.
     */
    public static SourceDocument deferred(String id, String version, Object state) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(version, "a deferred document needs a version");
        if (id.isEmpty()) {
            throw new IllegalArgumentException("document id must not be empty");
        }
        return new SourceDocument(id, version, state == null ? NO_STATE : state);
    }

    private static final Object NO_STATE = new Object() {
        @Override
        public String toString() {
            return "no state";
        }
    };

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

    /**
     * The fields, in insertion order; unmodifiable.
     *
     * @throws IllegalStateException for a {@linkplain #isDeferred() deferred} document, which has no fields yet
     */
    public Map<String, Object> fields() {
        if (state != null) {
            throw new IllegalStateException("document '" + id + "' is deferred: DeferredSource.fetch builds its fields");
        }
        return fields;
    }

    /** Whether this document is {@linkplain #deferred deferred}: an id and a version whose fields are built later. */
    public boolean isDeferred() {
        return state != null;
    }

    /**
     * The state the source attached to a {@linkplain #deferred deferred} document ({@code null} when it attached
     * none, and for a built document).
     */
    public Object state() {
        return state == NO_STATE ? null : state;
    }

    /** The binary content whose text the runtime extracts when the connector extracts content ({@link LazyBody}). */
    public Optional<LazyBody> body() {
        return Optional.ofNullable(body);
    }

    @Override
    public String toString() {
        return "SourceDocument[id=" + id + ", version=" + version
                + (state != null ? ", deferred]" : ", fields=" + fields.keySet() + "]");
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

        /** Attaches binary content whose text and metadata the runtime extracts into {@code content} ({@link LazyBody}). */
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
