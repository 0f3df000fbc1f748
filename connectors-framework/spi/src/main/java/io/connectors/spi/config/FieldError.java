package io.connectors.spi.config;

import java.util.Objects;

/**
 * One problem with one configuration field.
 *
 * @param field   the field's name, as written in the configuration
 * @param message what is wrong, in words a user can act on; never the value of a sensitive field
 */
public record FieldError(String field, String message) {
    public FieldError {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return field + ": " + message;
    }
}
