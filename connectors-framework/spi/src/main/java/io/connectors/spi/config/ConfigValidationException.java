package io.connectors.spi.config;

import java.util.List;
import java.util.stream.Collectors;

/** A configuration was refused; {@link #errors()} names every offending field. */
public class ConfigValidationException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient List<FieldError> errors;

    public ConfigValidationException(List<FieldError> errors) {
        super(errors.stream().map(FieldError::toString).collect(Collectors.joining("; ")));
        this.errors = List.copyOf(errors);
    }

    public ConfigValidationException(String field, String message) {
        this(List.of(new FieldError(field, message)));
    }

    /** Every problem found, one per field (at least one). */
    public List<FieldError> errors() {
        return errors;
    }
}
