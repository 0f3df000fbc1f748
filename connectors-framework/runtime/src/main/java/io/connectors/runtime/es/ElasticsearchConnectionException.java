package io.connectors.runtime.es;

import java.io.IOException;

/**
 * A request to Elasticsearch got no HTTP response: the connection was refused or timed out, TLS failed, no
 * pooled connection became free in time, the response did not arrive within the request timeout, or the
 * connection closed early.
 *
 * <p>The message names the method, path and {@code host:port} and the reason in words; the original exception is
 * the cause. Messages never contain credentials. Whether a retry is safe is the caller's decision (a
 * {@code _bulk} of index operations is idempotent; a create-only request may not be).
 */
public final class ElasticsearchConnectionException extends IOException {

    private static final long serialVersionUID = 1L;

    private final String hostAndPort;
    private final Reason reason;

    /** What went wrong, for callers that decide by kind (retry, fail fast) rather than by message. */
    public enum Reason {
        CONNECTION_REFUSED,
        CONNECT_TIMEOUT,
        UNKNOWN_HOST,
        TLS,
        POOL_ACQUIRE_TIMEOUT,
        RESPONSE_TIMEOUT,
        CONNECTION_CLOSED,
        OTHER
    }

    public ElasticsearchConnectionException(String message, String hostAndPort, Reason reason, Throwable cause) {
        super(message, cause);
        this.hostAndPort = hostAndPort;
        this.reason = reason;
    }

    /** The {@code host:port} the request was sent to. */
    public String hostAndPort() {
        return hostAndPort;
    }

    public Reason reason() {
        return reason;
    }
}
