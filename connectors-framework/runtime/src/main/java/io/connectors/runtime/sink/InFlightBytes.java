package io.connectors.runtime.sink;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The books of one write's bytes in flight, kept for the {@link BulkSink.Listener}: bytes queued into batches and not
 * yet resolved. Whatever way the write ends, the bytes reported resolved add up to the bytes reported queued.
 */
final class InFlightBytes {
    private final BulkSink.Listener listener;
    private final AtomicLong outstanding = new AtomicLong();

    InFlightBytes(BulkSink.Listener listener) {
        this.listener = listener;
    }

    void queued(long bytes) {
        if (listener == BulkSink.Listener.NONE) {
            return;
        }
        outstanding.addAndGet(bytes);
        listener.onQueued(bytes);
    }

    /** Resolves {@code bytes}, or what is left of them if the end of the write resolved them already. */
    void resolved(long bytes) {
        long left;
        long take;
        do {
            left = outstanding.get();
            take = Math.min(left, bytes);
        } while (take > 0 && !outstanding.compareAndSet(left, left - take));
        if (take > 0) {
            listener.onResolved(take);
        }
    }

    /** At the end of a write (completion, error, cancel): operations never sent count as resolved. */
    void resolveRemaining() {
        long left = outstanding.getAndSet(0);
        if (left > 0) {
            listener.onResolved(left);
        }
    }
}
