package io.connectors.spi;

/**
 * A failure of the source as a whole (unreachable backend, refused credentials, missing table), signalled
 * through {@code onError}. The message says what failed in words a user can act on, and never carries a
 * secret.
 */
public class SourceException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean retryable;

    /** A failure that retrying will not fix (bad credentials, missing database). */
    public SourceException(String message) {
        this(message, null, false);
    }

    public SourceException(String message, Throwable cause) {
        this(message, cause, false);
    }

    /**
     * @param retryable {@code true} when the same call may succeed later (connection reset, timeout)
     */
    public SourceException(String message, Throwable cause, boolean retryable) {
        super(message, cause);
        this.retryable = retryable;
    }

    /**
     * Whether the same operation may succeed later. <b>Incubating:</b> the runtime does not act on it yet (a failed
     * job is failed whatever this says, and the next scheduled sync starts again); resuming a job after a transient
     * failure (the splits issue) will. Sources still set it truthfully.
     */
    @Incubating
    public boolean retryable() {
        return retryable;
    }
}
