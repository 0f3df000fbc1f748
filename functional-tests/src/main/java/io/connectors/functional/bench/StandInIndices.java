package io.connectors.functional.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The indices of {@link StandInElasticsearch}: which exist, their aliases and creation bodies, and the documents of
 * those that keep them (the daemon's control-plane indices: connector and job records), each with a sequence number
 * and primary term so that conditional writes ({@code if_seq_no}/{@code if_primary_term}) behave as in Elasticsearch.
 * Searches understand the queries the control plane sends: {@code match_all}, {@code bool} ({@code must},
 * {@code filter}, {@code should}, {@code must_not}), {@code term}, {@code terms}, {@code range}, {@code exists} and
 * {@code ids}; a query of another kind matches nothing and is reported to {@code unknownQuery}.
 *
 * <p>Not thread-safe: {@link StandInElasticsearch} calls it under one lock (the control plane's traffic is a few
 * requests a second).
 */
final class StandInIndices {
    static final long PRIMARY_TERM = 1;

    /** One stored document. */
    record Doc(String id, ObjectNode source, long seqNo) {
    }

    /** An index: its creation body and, unless its documents are discarded, its documents by id. */
    static final class Index {
        final String name;
        final JsonNode body;
        final Map<String, Doc> docs = new TreeMap<>();
        long nextSeqNo;
        /** Documents written to a discarding index since it was created (they are counted, not kept). */
        long discardedCount;

        Index(String name, JsonNode body) {
            this.name = name;
            this.body = body;
        }
    }

    /** Why a conditional write was refused: the document exists, or changed since it was read. */
    static final class Conflict extends Exception {
        Conflict(String message) {
            super(message, null, false, false);
        }
    }

    private final Map<String, Index> indices = new LinkedHashMap<>();
    private final Map<String, String> aliases = new HashMap<>();
    private final String discarding;
    private final Consumer<String> unknownQuery;

    /**
     * @param discarding   the index whose documents are counted and dropped (the sync's target): reported missing
     *                     whenever asked, and each creation starts it empty, so every full sync into it is a sync
     *                     into a fresh index; {@code null} for none
     * @param unknownQuery told about each query kind a search used that this class does not evaluate
     */
    StandInIndices(String discarding, Consumer<String> unknownQuery) {
        this.discarding = discarding;
        this.unknownQuery = unknownQuery;
    }

    boolean discards(String name) {
        return name.equals(discarding);
    }

    /** The index a name or alias refers to, if any. */
    Optional<Index> find(String nameOrAlias) {
        Index index = indices.get(nameOrAlias);
        if (index == null && aliases.containsKey(nameOrAlias)) {
            index = indices.get(aliases.get(nameOrAlias));
        }
        return Optional.ofNullable(index);
    }

    boolean aliasExists(String alias) {
        return aliases.containsKey(alias);
    }

    /** The indices behind {@code alias}, each with its alias. */
    Map<String, String> aliasTargets(String alias) {
        String index = aliases.get(alias);
        return index == null ? Map.of() : Map.of(index, alias);
    }

    /**
     * Creates {@code name} with the aliases of {@code body}; the discarding index is created anew each time.
     *
     * @return false when it exists already
     */
    boolean create(String name, JsonNode body) {
        if (discards(name)) {
            indices.put(name, new Index(name, body));
            return true;
        }
        if (indices.containsKey(name) || aliases.containsKey(name)) {
            return false;
        }
        indices.put(name, new Index(name, body));
        body.path("aliases").fieldNames().forEachRemaining(a -> aliases.put(a, name));
        return true;
    }

    /**
     * Whether {@code name} exists. The discarding index is always reported missing, so each sync creates it and
     * runs as a sync into a fresh index (requests that address it once created are answered as for an index).
     */
    boolean exists(String name) {
        return !discards(name) && find(name).isPresent();
    }

    boolean delete(String name) {
        Index removed = indices.remove(name);
        if (removed != null) {
            aliases.values().removeIf(name::equals);
        }
        return removed != null;
    }

    /** The index {@code nameOrAlias} refers to, created (without a body) when missing, as Elasticsearch's auto-create does. */
    Index resolveForWrite(String nameOrAlias) {
        return find(nameOrAlias).orElseGet(() -> {
            Index index = new Index(nameOrAlias, JsonNodeFactory.instance.objectNode());
            indices.put(nameOrAlias, index);
            return index;
        });
    }

    /**
     * Writes a document.
     *
     * @param create    fail when it exists ({@code op_type=create})
     * @param ifSeqNo   fail unless its sequence number is this ({@code if_seq_no}); null for no condition
     * @return the stored document, and whether it was created
     */
    Map.Entry<Doc, Boolean> put(Index index, String id, ObjectNode source, boolean create, Long ifSeqNo) throws Conflict {
        if (discards(index.name)) {
            index.discardedCount++;
            return Map.entry(new Doc(id, null, index.nextSeqNo++), true);
        }
        Doc current = index.docs.get(id);
        if (create && current != null) {
            throw new Conflict("[" + id + "]: version conflict, document already exists (current version [1])");
        }
        if (ifSeqNo != null && (current == null || current.seqNo() != ifSeqNo)) {
            throw new Conflict("[" + id + "]: version conflict, required seqNo [" + ifSeqNo + "], primary term ["
                    + PRIMARY_TERM + "]. " + (current == null ? "but no document was found"
                    : "current document has seqNo [" + current.seqNo() + "] and primary term [" + PRIMARY_TERM + "]"));
        }
        Doc doc = new Doc(id, source, index.nextSeqNo++);
        index.docs.put(id, doc);
        return Map.entry(doc, current == null);
    }

    /** Removes a document; the discarding index answers as if it had it. */
    boolean remove(Index index, String id) {
        if (discards(index.name)) {
            index.discardedCount = Math.max(0, index.discardedCount - 1);
            return true;
        }
        return index.docs.remove(id) != null;
    }

    /**
     * Documents matching {@code query}. For the discarding index, which holds none, every document written counts for
     * a query matching all (so {@code _count} reports what the index would hold) and none for any other query.
     */
    long count(Index index, JsonNode query) {
        if (discards(index.name)) {
            boolean all = query == null || query.isMissingNode() || query.isNull() || query.isEmpty()
                    || query.size() == 1 && query.has("match_all");
            return all ? index.discardedCount : 0;
        }
        return index.docs.values().stream().filter(d -> matches(d, query)).count();
    }

    /** The documents matching {@code query}, sorted by {@code sort}, {@code from} and {@code size} applied. */
    List<Doc> search(Index index, JsonNode query, JsonNode sort, int from, int size) {
        return search(index, query, sort, null, from, size);
    }

    /**
     * As {@link #search(Index, JsonNode, JsonNode, int, int)}, keeping only the hits that sort after
     * {@code searchAfter} (the last hit's {@code sort} values of the previous page), so that a client paging with
     * {@code search_after} comes to an end.
     */
    List<Doc> search(Index index, JsonNode query, JsonNode sort, JsonNode searchAfter, int from, int size) {
        List<Doc> hits = new ArrayList<>();
        for (Doc d : index.docs.values()) {
            if (matches(d, query)) {
                hits.add(d);
            }
        }
        List<Map.Entry<String, Boolean>> fields = sortFields(sort);
        if (!fields.isEmpty()) {
            Comparator<Doc> order = null;
            for (Map.Entry<String, Boolean> f : fields) {
                Comparator<Doc> one = (a, b) -> compareForSort(value(a, f.getKey()), value(b, f.getKey()), f.getValue());
                order = order == null ? one : order.thenComparing(one);
            }
            hits.sort(order.thenComparing(Doc::id));
        }
        if (searchAfter != null && searchAfter.isArray() && !fields.isEmpty()) {
            hits.removeIf(d -> {
                for (int i = 0; i < fields.size() && i < searchAfter.size(); i++) {
                    int c = compareForSort(value(d, fields.get(i).getKey()), searchAfter.get(i), fields.get(i).getValue());
                    if (c != 0) {
                        return c < 0;
                    }
                }
                return true; // equal to the last hit of the previous page: already returned
            });
        }
        return hits.subList(Math.min(from, hits.size()), Math.min(hits.size(), from + Math.max(0, size)));
    }

    /** The values a sorted hit reports in its {@code sort} array. */
    static ArrayNode sortValues(Doc doc, JsonNode sort) {
        ArrayNode values = JsonNodeFactory.instance.arrayNode();
        for (Map.Entry<String, Boolean> s : sortFields(sort)) {
            JsonNode v = value(doc, s.getKey());
            values.add(v == null ? JsonNodeFactory.instance.nullNode() : v);
        }
        return values;
    }

    // ---- queries -------------------------------------------------------------------------------------------------

    boolean matches(Doc doc, JsonNode query) {
        if (query == null || query.isMissingNode() || query.isNull() || query.isEmpty()) {
            return true;
        }
        Iterator<Map.Entry<String, JsonNode>> kinds = query.properties().iterator();
        boolean all = true;
        while (kinds.hasNext()) {
            Map.Entry<String, JsonNode> kind = kinds.next();
            all &= matches(doc, kind.getKey(), kind.getValue());
        }
        return all;
    }

    private boolean matches(Doc doc, String kind, JsonNode q) {
        switch (kind) {
            case "match_all":
                return true;
            case "match_none":
                return false;
            case "bool": {
                for (String required : List.of("must", "filter")) {
                    for (JsonNode c : clauses(q.path(required))) {
                        if (!matches(doc, c)) {
                            return false;
                        }
                    }
                }
                for (JsonNode c : clauses(q.path("must_not"))) {
                    if (matches(doc, c)) {
                        return false;
                    }
                }
                List<JsonNode> should = clauses(q.path("should"));
                if (should.isEmpty()) {
                    return true;
                }
                boolean scoringOnly = !clauses(q.path("must")).isEmpty() || !clauses(q.path("filter")).isEmpty();
                if (scoringOnly && !q.has("minimum_should_match")) {
                    return true;
                }
                return should.stream().anyMatch(c -> matches(doc, c));
            }
            case "term": {
                Map.Entry<String, JsonNode> f = q.properties().iterator().next();
                JsonNode wanted = f.getValue().isObject() ? f.getValue().path("value") : f.getValue();
                return anyValue(doc, f.getKey(), v -> sameTerm(v, wanted));
            }
            case "terms": {
                Map.Entry<String, JsonNode> f = firstField(q);
                if (f == null) {
                    return false;
                }
                for (JsonNode wanted : f.getValue()) {
                    if (anyValue(doc, f.getKey(), v -> sameTerm(v, wanted))) {
                        return true;
                    }
                }
                return false;
            }
            case "range": {
                Map.Entry<String, JsonNode> f = q.properties().iterator().next();
                JsonNode bounds = f.getValue();
                return anyValue(doc, f.getKey(), v -> within(v, bounds));
            }
            case "exists":
                return anyValue(doc, q.path("field").asText(), v -> !v.isNull());
            case "ids": {
                for (JsonNode id : q.path("values")) {
                    if (id.asText().equals(doc.id())) {
                        return true;
                    }
                }
                return false;
            }
            default:
                unknownQuery.accept(kind);
                return false;
        }
    }

    /** The first field of {@code q} that is not a parameter of the query itself ({@code boost}, {@code _name}). */
    private static Map.Entry<String, JsonNode> firstField(JsonNode q) {
        Iterator<Map.Entry<String, JsonNode>> fields = q.properties().iterator();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            if (!f.getKey().equals("boost") && !f.getKey().equals("_name")) {
                return f;
            }
        }
        return null;
    }

    private static List<JsonNode> clauses(JsonNode node) {
        List<JsonNode> out = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(out::add);
        } else if (node.isObject()) {
            out.add(node);
        }
        return out;
    }

    private interface ValueTest {
        boolean test(JsonNode value);
    }

    private static boolean anyValue(Doc doc, String field, ValueTest test) {
        JsonNode v = value(doc, field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (v.isArray()) {
            for (JsonNode e : v) {
                if (test.test(e)) {
                    return true;
                }
            }
            return false;
        }
        return test.test(v);
    }

    /** A field of the document by its dotted path ({@code _id} is the document's id); null when missing. */
    static JsonNode value(Doc doc, String field) {
        if (field.equals("_id")) {
            return JsonNodeFactory.instance.textNode(doc.id());
        }
        if (field.equals("_shard_doc") || field.equals("_doc")) {
            return JsonNodeFactory.instance.numberNode(doc.seqNo());
        }
        if (doc.source() == null) {
            return null;
        }
        JsonNode direct = doc.source().get(field);
        if (direct != null) {
            return direct;
        }
        JsonNode node = doc.source();
        for (String part : field.split("\\.")) {
            node = node.get(part);
            if (node == null) {
                return null;
            }
        }
        return node;
    }

    private static boolean sameTerm(JsonNode value, JsonNode wanted) {
        if (value.isNumber() && wanted.isNumber()) {
            return value.decimalValue().compareTo(wanted.decimalValue()) == 0;
        }
        return value.asText().equals(wanted.asText());
    }

    private static boolean within(JsonNode value, JsonNode bounds) {
        for (String op : List.of("gt", "gte", "lt", "lte")) {
            JsonNode b = bounds.get(op);
            if (b == null || b.isNull()) {
                continue;
            }
            int c = compare(value, b);
            boolean ok = switch (op) {
                case "gt" -> c > 0;
                case "gte" -> c >= 0;
                case "lt" -> c < 0;
                default -> c <= 0;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Numbers as numbers, ISO-8601 instants as instants (their text forms do not sort), anything else as text. */
    static int compare(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        String x = a.asText();
        String y = b.asText();
        Instant ix = instant(x);
        Instant iy = instant(y);
        if (ix != null && iy != null) {
            return ix.compareTo(iy);
        }
        return x.compareTo(y);
    }

    private static Instant instant(String s) {
        if (s.length() < 20 || s.charAt(4) != '-' || s.charAt(10) != 'T') {
            return null;
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    // ---- sorting -------------------------------------------------------------------------------------------------

    /** {@code [{"f": {"order": "asc"}}, {"g": "desc"}, "h"]} as (field, ascending) pairs. */
    static List<Map.Entry<String, Boolean>> sortFields(JsonNode sort) {
        List<Map.Entry<String, Boolean>> fields = new ArrayList<>();
        if (sort == null || sort.isMissingNode() || sort.isNull()) {
            return fields;
        }
        List<JsonNode> items = clauses(sort);
        if (sort.isTextual()) {
            items = List.of(sort);
        }
        for (JsonNode item : items) {
            if (item.isTextual()) {
                fields.add(Map.entry(item.asText(), true));
                continue;
            }
            item.properties().forEach(f -> {
                JsonNode o = f.getValue();
                String order = o.isTextual() ? o.asText() : o.path("order").asText("asc");
                fields.add(Map.entry(f.getKey(), !order.equalsIgnoreCase("desc")));
            });
        }
        return fields;
    }

    /** Sort order of two values: missing (or null) values last in either direction, as Elasticsearch does. */
    private static int compareForSort(JsonNode x, JsonNode y, boolean ascending) {
        boolean xm = x == null || x.isNull();
        boolean ym = y == null || y.isNull();
        if (xm || ym) {
            return xm == ym ? 0 : xm ? 1 : -1;
        }
        int c = compare(x, y);
        return ascending ? c : -c;
    }

    /** Merges {@code doc} into {@code into}, objects field by field (a partial update's {@code doc}). */
    static void merge(ObjectNode into, ObjectNode doc) {
        Iterator<Map.Entry<String, JsonNode>> fields = doc.properties().iterator();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            JsonNode existing = into.get(f.getKey());
            if (existing instanceof ObjectNode o && f.getValue() instanceof ObjectNode d) {
                merge(o, d);
            } else {
                into.set(f.getKey(), f.getValue());
            }
        }
    }
}
