package io.connectors.elasticsearch.local;

/**
 * Elasticsearch could not be prepared, started or reached. The message says which step failed and, when the
 * process had started, ends with the tail of its console log.
 */
public final class ElasticsearchLaunchException extends RuntimeException {

    public ElasticsearchLaunchException(String message) {
        super(message);
    }

    public ElasticsearchLaunchException(String message, Throwable cause) {
        super(message, cause);
    }
}
