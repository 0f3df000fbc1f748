package io.connectors.runtime.cli;

/** A failure whose message is complete for the user: printed without a stack trace. */
final class UserFacingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UserFacingException(String message) {
        super(message);
    }
}
