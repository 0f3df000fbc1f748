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
     * Whether the same operation may succeed later. The runtime acts on it when reading a split of a
     * {@link SplittableSource}: a retryable failure reads the split again from its last acknowledged position (a few
     * times, with a backoff) instead of failing the job.
     */
    public boolean retryable() {
        return retryable;
    }
}
