package io.connectors.spi;

/**
 * Signalled by {@link IncrementalSource#getDocsIncrementally} when the saved cursor can no longer be resumed
 * from (a change-stream token whose history is gone, an invalidated stream, a dropped or renamed collection, a
 * replication slot that vanished). The runtime then runs a full sync instead and records why in the job.
 * Signal it before emitting any event, or the events already emitted are applied first.
 */
public class CursorExpiredException extends SourceException {
    private static final long serialVersionUID = 1L;

    /** @param message why the cursor cannot be resumed, in words a user can act on */
    public CursorExpiredException(String message) {
        super(message);
    }

    public CursorExpiredException(String message, Throwable cause) {
        super(message, cause);
    }
}
