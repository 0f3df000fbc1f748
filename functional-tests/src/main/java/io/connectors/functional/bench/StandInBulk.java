package io.connectors.functional.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link StandInElasticsearch}'s {@code _bulk}: every action line is parsed (operation, {@code _index},
 * {@code _id}); the source lines of the target index are skipped unparsed and its documents counted, those of other
 * indices are stored in {@link StandInIndices}. Thread-safe: the stored indices are touched under the stand-in's lock,
 * the target index's count once per request.
 */
final class StandInBulk {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory FACTORY = JSON.getFactory();

    private final StandInIndices indices;
    private final Object lock;
    private final AtomicLong seqNo;

    /** The answer's JSON and how many actions the body held. */
    record Result(byte[] answer, long items) {
    }

    StandInBulk(StandInIndices indices, Object lock, AtomicLong seqNo) {
        this.indices = indices;
        this.lock = lock;
        this.seqNo = seqNo;
    }

    /**
     * Answers a {@code _bulk} body: every action line is parsed (operation, {@code _index}, {@code _id}); the
     * source lines of the target index are skipped unparsed, those of other indices are stored.
     */
    Result answer(byte[] body, String defaultIndex) throws IOException {
        ByteArrayOutputStream response = new ByteArrayOutputStream(Math.max(256, body.length / 16));
        BulkTally tally = new BulkTally();
        try (JsonGenerator out = FACTORY.createGenerator(response)) {
            out.writeStartObject();
            out.writeNumberField("took", 0);
            // "errors" after the items, once known: Elasticsearch writes it first, but no client depends on the order.
            out.writeArrayFieldStart("items");
            int pos = 0;
            while (pos < body.length) {
                int end = lineEnd(body, pos);
                if (end == pos) {
                    pos++;
                    continue;
                }
                String[] action = action(body, pos, end);
                String op = action[0];
                String index = action[1] != null ? action[1] : defaultIndex;
                String id = action[2] != null ? action[2] : "stand-in-" + seqNo.incrementAndGet();
                pos = end + 1;
                int sourceStart = pos;
                int sourceEnd = pos;
                if (!op.equals("delete")) {
                    sourceEnd = lineEnd(body, pos);
                    pos = sourceEnd + 1;
                }
                tally.items++;
                writeItem(out, op, index, id, body, sourceStart, sourceEnd, tally);
            }
            out.writeEndArray();
            out.writeBooleanField("errors", tally.errors);
            out.writeEndObject();
        }
        if (tally.discardedIndex != null) {
            synchronized (lock) {
                StandInIndices.Index target = indices.resolveForWrite(tally.discardedIndex);
                target.discardedCount = Math.max(0, target.discardedCount + tally.discardedDelta);
            }
        }
        return new Result(response.toByteArray(), tally.items);
    }

    /** What one {@code _bulk} request did. */
    private static final class BulkTally {
        long items;
        boolean errors;
        String discardedIndex;
        long discardedDelta;
    }

    private static int lineEnd(byte[] body, int from) {
        for (int i = from; i < body.length; i++) {
            if (body[i] == '\n') {
                return i;
            }
        }
        return body.length;
    }

    /** {@code {"index":{"_index":"x","_id":"y"}}} as {op, index, id}. */
    private static String[] action(byte[] body, int from, int to) throws IOException {
        String[] out = new String[3];
        try (JsonParser p = FACTORY.createParser(body, from, to - from)) {
            if (p.nextToken() != JsonToken.START_OBJECT || p.nextToken() != JsonToken.FIELD_NAME) {
                throw new IOException("a _bulk action line is not an object: "
                        + new String(body, from, Math.min(to - from, 200), StandardCharsets.UTF_8));
            }
            out[0] = p.currentName();
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("a _bulk action's parameters are not an object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                if (name.equals("_index")) {
                    out[1] = p.getText();
                } else if (name.equals("_id")) {
                    out[2] = p.getText();
                } else {
                    p.skipChildren();
                }
            }
        }
        return out;
    }

    private void writeItem(JsonGenerator out, String op, String index, String id, byte[] body, int sourceStart,
                           int sourceEnd, BulkTally tally) throws IOException {
        int status;
        String result;
        String errorType = null;
        String errorReason = null;
        long seq;
        String concrete = index;
        if (index == null) {
            status = 400;
            result = null;
            errorType = "action_request_validation_exception";
            errorReason = "Validation Failed: 1: index is missing;";
            seq = -1;
        } else if (indices.discards(index)) {
            // Counted per request, not per item: the target index's documents are the bulk of the traffic.
            seq = seqNo.incrementAndGet();
            tally.discardedIndex = index;
            tally.discardedDelta += op.equals("delete") ? -1 : 1;
            status = op.equals("delete") ? 200 : 201;
            result = op.equals("delete") ? "deleted" : "created";
        } else {
            synchronized (lock) {
                StandInIndices.Index target = indices.resolveForWrite(index);
                concrete = target.name;
                if (op.equals("delete")) {
                    boolean removed = indices.remove(target, id);
                    status = removed ? 200 : 404;
                    result = removed ? "deleted" : "not_found";
                    seq = seqNo.incrementAndGet();
                } else {
                    JsonNode source = JSON.readTree(body, sourceStart, sourceEnd - sourceStart);
                    if (op.equals("update")) {
                        StandInIndices.Doc current = target.docs.get(id);
                        ObjectNode merged = current == null ? JSON.createObjectNode() : current.source().deepCopy();
                        if (source.path("doc").isObject()) {
                            StandInIndices.merge(merged, (ObjectNode) source.get("doc"));
                        }
                        source = merged;
                    }
                    try {
                        Map.Entry<StandInIndices.Doc, Boolean> w = indices.put(target, id,
                                source instanceof ObjectNode o ? o : JSON.createObjectNode(), op.equals("create"), null);
                        status = w.getValue() ? 201 : 200;
                        result = w.getValue() ? "created" : "updated";
                        seq = w.getKey().seqNo();
                    } catch (StandInIndices.Conflict e) {
                        status = 409;
                        result = null;
                        errorType = "version_conflict_engine_exception";
                        errorReason = e.getMessage();
                        seq = -1;
                    }
                }
            }
        }
        tally.errors |= errorType != null;
        out.writeStartObject();
        out.writeObjectFieldStart(op);
        out.writeStringField("_index", concrete == null ? "" : concrete);
        out.writeStringField("_id", id);
        if (errorType == null) {
            out.writeNumberField("_version", 1);
            out.writeStringField("result", result);
            out.writeObjectFieldStart("_shards");
            out.writeNumberField("total", 1);
            out.writeNumberField("successful", 1);
            out.writeNumberField("failed", 0);
            out.writeEndObject();
            out.writeNumberField("_seq_no", seq);
            out.writeNumberField("_primary_term", StandInIndices.PRIMARY_TERM);
        } else {
            out.writeObjectFieldStart("error");
            out.writeStringField("type", errorType);
            out.writeStringField("reason", errorReason);
            out.writeEndObject();
        }
        out.writeNumberField("status", status);
        out.writeEndObject();
        out.writeEndObject();
    }
}
