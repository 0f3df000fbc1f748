package io.connectors.runtime.sink;

import io.connectors.runtime.config.BulkSinkSettings;
import reactor.core.publisher.SignalType;

/**
 * What one {@link BulkSink#write} call shares across its batches: its error breaker, its bytes in flight, its
 * aggregated log, and the stats and listener of the sink. Batches of a write resolve concurrently: every part is
 * thread-safe.
 */
final class WriteRun {
    final SinkStats stats;
    final BulkSink.Listener listener;
    final ErrorBreaker breaker;
    final InFlightBytes inFlight;
    final WriteLog log;
    private final long maxDocumentBytes;

    WriteRun(BulkSinkSettings settings, SinkStats stats) {
        this(settings, stats, BulkSink.Listener.NONE);
    }

    WriteRun(BulkSinkSettings settings, SinkStats stats, BulkSink.Listener listener) {
        this.stats = stats;
        this.listener = listener;
        this.breaker = new ErrorBreaker(settings);
        this.inFlight = new InFlightBytes(listener);
        this.log = new WriteLog(settings.maxDocumentBytes());
        this.maxDocumentBytes = settings.maxDocumentBytes();
    }

    /** An index operation was dropped before sending: its source is larger than {@code bulk.max_document_size}. */
    void dropped(String id, long sourceBytes) {
        String reason = "its source is " + sourceBytes + " bytes, more than bulk.max_document_size=" + maxDocumentBytes;
        stats.documentDropped(id, "index", "too_large", reason);
        log.dropped(id, "too_large", reason);
    }

    /** The write ended with {@code signal}: what was never sent counts as resolved, and the log sums up. */
    void end(SignalType signal) {
        inFlight.resolveRemaining();
        log.summary(signal);
    }
}
