package io.connectors.runtime.sync;

/**
 * A source document ready to index.
 *
 * @param id    the Elasticsearch {@code _id} (normalized)
 * @param stamp the version stamp stored in {@code _sync_version}
 * @param json  the full JSON body, bookkeeping fields included
 */
public record PreparedDocument(String id, String stamp, byte[] json) {
}
