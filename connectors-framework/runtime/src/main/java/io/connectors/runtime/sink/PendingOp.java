package io.connectors.runtime.sink;

/**
 * An operation of a batch still to be sent, with the error of its last attempt (none before the first).
 *
 * @param index its place in the batch
 */
record PendingOp(int index, BulkOp op, int status, String errorType, String reason) {
    static PendingOp first(int index, BulkOp op) {
        return new PendingOp(index, op, 0, null, null);
    }

    PendingOp failedWith(int status, String errorType, String reason) {
        return new PendingOp(index, op, status, errorType, reason);
    }
}
