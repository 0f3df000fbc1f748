package io.connectors.runtime.sync;

import co.elastic.clients.elasticsearch.ElasticsearchAsyncClient;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Reads a whole index for assertions: {@code _id} to one source field. Test code: blocking is fine here. */
final class IndexContents {
    private IndexContents() {
    }

    static Map<String, String> read(ElasticsearchAsyncClient client, String index, String field) throws Exception {
        client.indices().refresh(r -> r.index(index)).get();
        Map<String, String> out = new TreeMap<>();
        List<FieldValue> after = null;
        while (true) {
            List<FieldValue> from = after;
            SearchResponse<ObjectNode> page = client.search(s -> {
                s.index(index).size(5000).sort(o -> o.field(f -> f.field(DocumentSerializer.ID_FIELD).order(SortOrder.Asc)))
                        .source(src -> src.filter(f -> f.includes(field)));
                if (from != null) {
                    s.searchAfter(from);
                }
                return s;
            }, ObjectNode.class).get();
            List<Hit<ObjectNode>> hits = page.hits().hits();
            for (Hit<ObjectNode> hit : hits) {
                ObjectNode src = hit.source();
                out.put(hit.id(), src == null || src.get(field) == null || src.get(field).isNull() ? null : src.get(field).asText());
            }
            if (hits.size() < 5000) {
                return out;
            }
            after = hits.get(hits.size() - 1).sort();
        }
    }
}
