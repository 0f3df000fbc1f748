package io.connectors.runtime.es;

/**
 * {@link ElasticsearchHandle#ping()} failed: Elasticsearch is unreachable, rejected the credentials, or did not
 * answer like Elasticsearch. The message is meant for the operator as is: it names the URL, the HTTP status when
 * there was one, and what to check. It never contains credentials.
 */
public final class ElasticsearchPingException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String url;
    private final int statusCode;

    public ElasticsearchPingException(String message, String url, int statusCode, Throwable cause) {
        super(message, cause);
        this.url = url;
        this.statusCode = statusCode;
    }

    /** The Elasticsearch URL (or URLs) the check went to. */
    public String url() {
        return url;
    }

    /** The HTTP status Elasticsearch answered with, or 0 when there was no HTTP response. */
    public int statusCode() {
        return statusCode;
    }

    /** True when Elasticsearch answered 401: wrong or missing username/password or API key. */
    public boolean authenticationFailed() {
        return statusCode == 401;
    }
}
