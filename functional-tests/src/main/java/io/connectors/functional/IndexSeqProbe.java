package io.connectors.functional;

import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.aggregations.Aggregate;
import io.connectors.elasticsearch.local.ElasticsearchEndpoint;
import java.io.IOException;

/**
 * The highest {@code seq} an index shows to search, the way a user would see it: a {@code max} aggregation over what
 * the last refresh made searchable, never a refresh of its own (which would hide the refresh interval the latency is
 * about). With changes applied in commit order, the highest {@code seq} searchable says that every change up to it
 * is (see {@link ChangeLoad}).
 */
public final class IndexSeqProbe implements AutoCloseable {
    private final ElasticsearchSession session;
    private final String index;

    public IndexSeqProbe(ElasticsearchEndpoint es, String index) {
        this.session = ElasticsearchSession.open(es);
        this.index = index;
    }

    /** The highest {@code seq} searchable; -1 when the index does not exist yet or holds no document. */
    public long highest() throws IOException {
        try {
            Aggregate max = session.client().search(s -> s.index(index).size(0).trackTotalHits(t -> t.enabled(false))
                    .aggregations("seq", a -> a.max(m -> m.field("seq"))), Void.class).aggregations().get("seq");
            double value = max == null ? Double.NaN : max.max().value();
            return Double.isFinite(value) ? (long) value : -1;
        } catch (ElasticsearchException e) {
            if ("index_not_found_exception".equals(e.error().type())) {
                return -1;
            }
            throw e;
        }
    }

    /** The index's {@code index.refresh_interval}, as set or by default ({@code 1s}). */
    public String refreshInterval() throws IOException {
        var settings = session.client().indices().getSettings(g -> g.index(index).includeDefaults(true)).get(index);
        if (settings == null) {
            return "unknown (no index " + index + ")";
        }
        String set = settings.settings() != null && settings.settings().index() != null
                && settings.settings().index().refreshInterval() != null
                ? settings.settings().index().refreshInterval()._toJsonString() : null;
        if (set != null) {
            return set + " (set on the index)";
        }
        String byDefault = settings.defaults() != null && settings.defaults().index() != null
                && settings.defaults().index().refreshInterval() != null
                ? settings.defaults().index().refreshInterval()._toJsonString() : "1s";
        return byDefault + " (Elasticsearch's default)";
    }

    /** The index's searchable document count (no refresh). */
    public long count() throws IOException {
        return session.client().count(c -> c.index(index)).count();
    }

    @Override
    public void close() {
        session.close();
    }
}
