package io.connectors.runtime.sink;

/** A {@code _bulk} request failed as a whole: no item was written. */
public final class BulkRequestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final boolean retryable;

    /**
     * @param status    the HTTP status, or 0 when there was no response (connection refused, reset, timeout)
     * @param message   what happened, without document content
     * @param retryable whether sending the same request again may succeed
     */
    public BulkRequestException(int status, String message, boolean retryable) {
        this(status, message, retryable, null);
    }

    public BulkRequestException(int status, String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.retryable = retryable;
    }

    /** The HTTP status, or 0 when there was no response. */
    public int status() {
        return status;
    }

    public boolean retryable() {
        return retryable;
    }
}
