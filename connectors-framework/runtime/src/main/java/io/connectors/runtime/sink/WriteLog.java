package io.connectors.runtime.sink;

import static io.connectors.runtime.sink.ErrorReasons.sanitize;

import io.connectors.runtime.util.ProblemLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.SignalType;

/**
 * What one write logs of its problems, in aggregate so that a storm of failures stays a few lines: the first
 * {@link BulkSink#LOGGED_EXAMPLES} failed documents, dropped documents and failed requests one by one, then counts
 * per error type when the write ends. Logs under {@link BulkSink}'s name; never logs document content.
 */
final class WriteLog {
    private static final Logger log = LoggerFactory.getLogger(BulkSink.class);

    private final long maxDocumentBytes;
    private final ProblemLog failures = new ProblemLog(log, "Document failed", BulkSink.LOGGED_EXAMPLES);
    private final ProblemLog drops = new ProblemLog(log, "Document dropped", BulkSink.LOGGED_EXAMPLES);
    private final ProblemLog requestFailures = new ProblemLog(log, "_bulk request failed", BulkSink.LOGGED_EXAMPLES);
    private final ProblemLog throttled = new ProblemLog(log, "Still overloaded", BulkSink.LOGGED_EXAMPLES);

    /** @param maxDocumentBytes the bound documents are dropped above, named in the summary */
    WriteLog(long maxDocumentBytes) {
        this.maxDocumentBytes = maxDocumentBytes;
    }

    void failed(String id, int status, String type, String reason, int retries) {
        failures.report(type, id + (retries > 0 ? " after " + retries + " retries" : "") + ": status " + status
                + ", " + type + ": " + sanitize(reason));
    }

    /** A {@code _bulk} request failed as a whole and will be re-sent (its retry number {@code retry}). */
    void requestRetried(int operations, long batch, int retry, int maxRetries, BulkRequestException e) {
        requestFailures.report(e.status() == 0 ? "no_response" : "http_" + e.status(), operations
                + " operations (batch " + batch + "), re-sent (retry " + retry + "/" + maxRetries + "): "
                + sanitize(e.getMessage()));
    }

    /** Operations still answered 429 after every retry are re-sent within {@code bulk.max_throttled_time}. */
    void throttledBeyondRetries(int operations, long batch, int retries, long secondsLeft) {
        throttled.report("http_429", operations + " operations of batch " + batch + " still answered 429 after " + retries
                + " retries: re-sent for up to " + secondsLeft + " s more (bulk.max_throttled_time)");
    }

    void dropped(String id, String type, String reason) {
        drops.report(type, id + ": " + reason);
    }

    /** The counts per error type, once the write ended with {@code signal}. */
    void summary(SignalType signal) {
        if (requestFailures.total() > 0) {
            log.warn("{} _bulk requests failed as a whole and were re-sent ({}): {}", requestFailures.total(),
                    signal == SignalType.ON_COMPLETE ? "write completed" : "write ended: " + signal,
                    requestFailures.summary());
        }
        if (throttled.total() > 0) {
            log.warn("{} batches were re-sent beyond bulk.max_retries while Elasticsearch answered 429 ({})",
                    throttled.total(), signal == SignalType.ON_COMPLETE ? "write completed" : "write ended: " + signal);
        }
        if (drops.total() > 0) {
            log.warn("{} documents dropped, larger than bulk.max_document_size={} bytes", drops.total(), maxDocumentBytes);
        }
        if (failures.total() > 0) {
            log.warn("{} documents failed ({}): {}", failures.total(),
                    signal == SignalType.ON_COMPLETE ? "write completed" : "write ended: " + signal,
                    failures.summary());
        }
    }
}
