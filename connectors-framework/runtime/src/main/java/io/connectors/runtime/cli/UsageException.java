package io.connectors.runtime.cli;

/**
 * A command line that names something that does not exist or a value out of range (an unknown connector, job type
 * or status): printed without a stack trace, exit code 2 like picocli's own usage errors.
 */
final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
