package io.connectors.runtime.state;

/**
 * A stored connector or job record that this version cannot read: a field of the wrong type, or a value it does not
 * know (written by a newer daemon, or by hand). The message names the record and the field.
 */
public final class StateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StateException(String message) {
        super(message);
    }
}
