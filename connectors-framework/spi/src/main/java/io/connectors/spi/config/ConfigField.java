package io.connectors.spi.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The declaration of one configuration field of a source: the single place its name, type, default,
 * requirement, sensitivity, validation and documentation are stated.
 *
 * <p>Immutable; build with the static factories and the {@code with...} methods:
 * <pre>{@code
 * ConfigField.string("path").asRequired().description("Directory to sync").order(1)
 * ConfigField.integer("max_file_size_kb").defaultValue(1024L).validate(ConfigField.atLeast(1))
 * ConfigField.string("password").asSensitive()
 * }</pre>
 *
 * @param name         the key in the connector's {@code configuration} block, snake_case
 * @param type         how the raw value is parsed
 * @param defaultValue the value used when the field is absent, already in the parsed form of {@code type}
 *                     ({@code Long}, {@code Boolean}, {@code Duration}, {@code Long} bytes, {@code List<String>});
 *                     {@code null} for none
 * @param required     whether a value (or a default) must be present
 * @param sensitive    whether the value is a secret: masked in logs, job records and error messages
 * @param validator    checks a parsed value; returns an error message or {@code null} when valid
 * @param description  one or two sentences for the configuration reference
 * @param order        display order, ascending
 */
public record ConfigField(
        String name,
        FieldType type,
        Object defaultValue,
        boolean required,
        boolean sensitive,
        Function<Object, String> validator,
        String description,
        int order) {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

    public ConfigField {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("configuration field name must be snake_case: " + name);
        }
        validator = validator == null ? v -> null : validator;
        description = description == null ? "" : description;
    }

    /** Declares a text field named {@code name}: optional, no default, not sensitive. */
    public static ConfigField string(String name) {
        return of(name, FieldType.STRING);
    }

    /** Declares a whole-number field named {@code name}: optional, no default, not sensitive. */
    public static ConfigField integer(String name) {
        return of(name, FieldType.INTEGER);
    }

    /** Declares a decimal-number field named {@code name}: optional, no default, not sensitive. */
    public static ConfigField number(String name) {
        return of(name, FieldType.NUMBER);
    }

    /** Declares a true/false field named {@code name}: optional, no default, not sensitive. */
    public static ConfigField bool(String name) {
        return of(name, FieldType.BOOLEAN);
    }

    /** Declares a duration field named {@code name}: optional, no default, not sensitive. */
    public static ConfigField duration(String name) {
        return of(name, FieldType.DURATION);
    }

    /** Declares a byte-size field named {@code name}: optional, no default, not sensitive. */
    public static ConfigField byteSize(String name) {
        return of(name, FieldType.BYTE_SIZE);
    }

    /** Declares a list-of-strings field named {@code name}: optional, no default, not sensitive. */
    public static ConfigField list(String name) {
        return of(name, FieldType.LIST);
    }

    /** Declares a field of the given type. */
    public static ConfigField of(String name, FieldType type) {
        return new ConfigField(name, type, null, false, false, null, "", Integer.MAX_VALUE);
    }

    /** The same field, required: a missing value without a default is a validation error. */
    public ConfigField asRequired() {
        return new ConfigField(name, type, defaultValue, true, sensitive, validator, description, order);
    }

    /** The same field, holding a secret: never shown in logs, job records or messages. */
    public ConfigField asSensitive() {
        return new ConfigField(name, type, defaultValue, required, true, validator, description, order);
    }

    /** Sets the default, given in the parsed form (or as a string in configuration syntax, e.g. {@code "30s"}). */
    public ConfigField defaultValue(Object value) {
        Object parsed = value instanceof String s && type != FieldType.STRING ? FieldParser.parse(type, s) : value;
        return new ConfigField(name, type, parsed, required, sensitive, validator, description, order);
    }

    /** The same field with one more check, run on the parsed value after the existing ones. */
    public ConfigField validate(Function<Object, String> check) {
        Function<Object, String> previous = validator;
        Function<Object, String> both = v -> {
            String first = previous.apply(v);
            return first != null ? first : check.apply(v);
        };
        return new ConfigField(name, type, defaultValue, required, sensitive, both, description, order);
    }

    /** The same field with its documentation. */
    public ConfigField description(String text) {
        return new ConfigField(name, type, defaultValue, required, sensitive, validator, text, order);
    }

    /** The same field at this display position. */
    public ConfigField order(int position) {
        return new ConfigField(name, type, defaultValue, required, sensitive, validator, description, position);
    }

    /** The default value, if any. */
    public Optional<Object> defaultOptional() {
        return Optional.ofNullable(defaultValue);
    }

    /** A validator accepting numbers (or byte sizes, or durations in ms) no smaller than {@code min}. */
    public static Function<Object, String> atLeast(long min) {
        return v -> v instanceof Number n && n.longValue() < min ? "must be at least " + min + ", got " + n : null;
    }

    /** A validator accepting numbers no larger than {@code max}. */
    public static Function<Object, String> atMost(long max) {
        return v -> v instanceof Number n && n.longValue() > max ? "must be at most " + max + ", got " + n : null;
    }

    /** A validator accepting numbers within {@code [min, max]}. */
    public static Function<Object, String> between(long min, long max) {
        return v -> v instanceof Number n && (n.longValue() < min || n.longValue() > max)
                ? "must be between " + min + " and " + max + ", got " + n : null;
    }

    /** A validator accepting one of the given strings. */
    public static Function<Object, String> oneOf(String... allowed) {
        List<String> values = List.of(allowed);
        return v -> v instanceof String s && !values.contains(s) ? "must be one of " + values + ", got '" + s + "'" : null;
    }

    /** A validator accepting decimal numbers in {@code (0, 1]}: a fraction of something, never none of it. */
    public static Function<Object, String> fraction() {
        return v -> v instanceof Double d && (d <= 0 || d > 1) ? "must be a fraction in (0, 1], got " + d : null;
    }

    /** A validator accepting only durations above zero. */
    public static Function<Object, String> positiveDuration() {
        return v -> v instanceof java.time.Duration d && (d.isNegative() || d.isZero()) ? "must be positive, got " + FieldFormat.duration(d) : null;
    }

    /** A validator accepting only durations of zero or more. */
    public static Function<Object, String> notNegativeDuration() {
        return v -> v instanceof java.time.Duration d && d.isNegative() ? "must not be negative, got " + FieldFormat.duration(d) : null;
    }

    /** A validator refusing an empty string or an empty list. */
    public static Function<Object, String> notEmpty() {
        return v -> (v instanceof String s && s.isBlank()) || (v instanceof List<?> l && l.isEmpty()) ? "must not be empty" : null;
    }

    /** A validator refusing a list that holds a blank name or a name twice (compared without case). */
    public static Function<Object, String> distinctNames() {
        return v -> {
            if (!(v instanceof List<?> names)) {
                return null;
            }
            List<String> seen = new java.util.ArrayList<>();
            for (Object name : names) {
                if (name == null || String.valueOf(name).isBlank()) {
                    return "holds an empty name";
                }
                String key = String.valueOf(name).trim().toLowerCase(java.util.Locale.ROOT);
                if (seen.contains(key)) {
                    return "names '" + name + "' twice";
                }
                seen.add(key);
            }
            return null;
        };
    }

    /** A validator accepting a blank string (not set) or the path of a readable regular file. */
    public static Function<Object, String> readableFile() {
        return v -> {
            if (!(v instanceof String s) || s.isBlank()) {
                return null;
            }
            java.nio.file.Path path = java.nio.file.Path.of(s);
            return java.nio.file.Files.isRegularFile(path) && java.nio.file.Files.isReadable(path) ? null
                    : "'" + s + "' is not a readable file";
        };
    }
}
