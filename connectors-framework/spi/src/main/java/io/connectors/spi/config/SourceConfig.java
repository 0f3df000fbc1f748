package io.connectors.spi.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A source's configuration, validated against its {@link ConfigField} declarations, with defaults applied and
 * values parsed to their types. Immutable and thread-safe.
 *
 * <p>Built by the runtime from the connector's {@code configuration} block; sources and their tests can build
 * one directly with {@link #from(List, Map)}.
 */
public final class SourceConfig {
    /** What a sensitive value is replaced with wherever it is shown. */
    public static final String MASK = "********";

    private final Map<String, ConfigField> fields;
    private final Map<String, Object> values;

    private SourceConfig(Map<String, ConfigField> fields, Map<String, Object> values) {
        this.fields = fields;
        this.values = values;
    }

    /**
     * Validates {@code raw} against {@code declared}: unknown keys, missing required fields, values of the wrong
     * type and values refused by a field's validator are all reported together.
     *
     * @throws ConfigValidationException naming every offending field; messages never contain a sensitive value
     */
    public static SourceConfig from(List<ConfigField> declared, Map<String, ?> raw) {
        Map<String, ConfigField> byName = new LinkedHashMap<>();
        for (ConfigField f : declared) {
            if (byName.put(f.name(), f) != null) {
                throw new IllegalArgumentException("configuration field declared twice: " + f.name());
            }
        }
        List<FieldError> errors = new ArrayList<>();
        for (String key : raw.keySet()) {
            if (!byName.containsKey(key)) {
                errors.add(new FieldError(key, "unknown field" + Suggestions.didYouMean(key, byName.keySet())
                        + "; known fields are " + new TreeSet<>(byName.keySet())));
            }
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (ConfigField f : byName.values()) {
            Object rawValue = raw.get(f.name());
            Object value;
            if (rawValue == null) {
                value = f.defaultValue();
                if (value == null) {
                    if (f.required()) {
                        errors.add(new FieldError(f.name(), "is required (" + describe(f) + ")"));
                    }
                    continue;
                }
            } else {
                try {
                    value = FieldParser.parse(f.type(), rawValue);
                } catch (IllegalArgumentException e) {
                    String shown = f.sensitive() ? "" : ", got '" + rawValue + "'";
                    errors.add(new FieldError(f.name(), e.getMessage() + shown));
                    continue;
                }
            }
            String problem = f.validator().apply(value);
            if (problem != null) {
                errors.add(new FieldError(f.name(), f.sensitive() ? "invalid value" : problem));
                continue;
            }
            values.put(f.name(), value);
        }
        if (!errors.isEmpty()) {
            throw new ConfigValidationException(errors);
        }
        return new SourceConfig(Collections.unmodifiableMap(byName), Collections.unmodifiableMap(values));
    }

    private static String describe(ConfigField f) {
        return f.description().isEmpty() ? f.type().name().toLowerCase(java.util.Locale.ROOT) : f.description();
    }

    /** The value of a {@link FieldType#STRING} field that has a value or a default. */
    public String string(String name) {
        return (String) require(name, FieldType.STRING);
    }

    /** The value of an optional {@link FieldType#STRING} field. */
    public Optional<String> optionalString(String name) {
        return Optional.ofNullable((String) get(name, FieldType.STRING));
    }

    /** The value of an {@link FieldType#INTEGER} field. */
    public long integer(String name) {
        return (Long) require(name, FieldType.INTEGER);
    }

    /** The value of a {@link FieldType#NUMBER} field. */
    public double number(String name) {
        return (Double) require(name, FieldType.NUMBER);
    }

    /** The value of a {@link FieldType#BOOLEAN} field. */
    public boolean bool(String name) {
        return (Boolean) require(name, FieldType.BOOLEAN);
    }

    /** The value of a {@link FieldType#DURATION} field. */
    public Duration duration(String name) {
        return (Duration) require(name, FieldType.DURATION);
    }

    /** The value of a {@link FieldType#BYTE_SIZE} field, in bytes. */
    public long byteSize(String name) {
        return (Long) require(name, FieldType.BYTE_SIZE);
    }

    /** The value of a {@link FieldType#LIST} field; empty when it has none. */
    @SuppressWarnings("unchecked")
    public List<String> list(String name) {
        Object v = get(name, FieldType.LIST);
        return v == null ? List.of() : (List<String>) v;
    }

    /** The value of the declared STRING field {@code field}; as {@link #string(String)}. */
    public String string(ConfigField field) {
        return string(field.name());
    }

    /** The value of the declared INTEGER field {@code field}; as {@link #integer(String)}. */
    public long integer(ConfigField field) {
        return integer(field.name());
    }

    /** The value of the declared NUMBER field {@code field}; as {@link #number(String)}. */
    public double number(ConfigField field) {
        return number(field.name());
    }

    /** The value of the declared BOOLEAN field {@code field}; as {@link #bool(String)}. */
    public boolean bool(ConfigField field) {
        return bool(field.name());
    }

    /** The value of the declared DURATION field {@code field}; as {@link #duration(String)}. */
    public Duration duration(ConfigField field) {
        return duration(field.name());
    }

    /** The value of the declared BYTE_SIZE field {@code field}, in bytes; as {@link #byteSize(String)}. */
    public long byteSize(ConfigField field) {
        return byteSize(field.name());
    }

    /** The value of the declared LIST field {@code field}; as {@link #list(String)}. */
    public List<String> list(ConfigField field) {
        return list(field.name());
    }

    /** Whether the field has a value (given or defaulted). */
    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** The values with every sensitive one replaced by {@link #MASK}: safe for logs and job records. */
    public Map<String, Object> masked() {
        Map<String, Object> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, fields.get(k).sensitive() ? MASK : v));
        return Collections.unmodifiableMap(out);
    }

    /** The declarations this configuration was validated against. */
    public List<ConfigField> fields() {
        return List.copyOf(fields.values());
    }

    // Accessors throw IllegalArgumentException for an undeclared name or a type mismatch (a bug in the source),
    // and IllegalStateException when a required value is absent (impossible after from() succeeded).
    private Object require(String name, FieldType type) {
        Object v = get(name, type);
        if (v == null) {
            throw new IllegalStateException("configuration field '" + name + "' has no value and no default");
        }
        return v;
    }

    private Object get(String name, FieldType type) {
        ConfigField f = fields.get(name);
        if (f == null) {
            throw new IllegalArgumentException("no configuration field named '" + name + "' was declared");
        }
        if (f.type() != type) {
            throw new IllegalArgumentException("configuration field '" + name + "' is " + f.type() + ", not " + type);
        }
        return values.get(name);
    }

    /** Masked, so a configuration can be logged. */
    @Override
    public String toString() {
        return masked().toString();
    }
}
