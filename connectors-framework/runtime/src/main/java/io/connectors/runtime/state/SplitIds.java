package io.connectors.runtime.state;

import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The ids of the documents the splits of a running full sync covered, so that its deletion pass knows every id the
 * source has, whichever daemon read which split and however often the job was resumed. A split's worker saves the ids
 * covered by an acknowledged position before it saves that position (a crash in between only repeats ids); the daemon
 * that runs the deletion pass reads them all back, and the chunks are deleted when the job ends.
 *
 * <p>One chunk is one document of the split-ids state index: the ids, gzipped and base64-encoded in a binary field
 * that is neither indexed nor searched. A million ids of 12 bytes take about 3 MB.
 */
public final class SplitIds {
    private static final int PAGE = 20;
    private final StateStore store;

    public SplitIds(StateStore store) {
        this.store = store;
    }

    /** Saves one chunk of ids of a split; a new document each time (never overwriting another worker's chunk). */
    public Mono<Void> save(String jobId, String splitId, List<String> ids) {
        if (ids.isEmpty()) {
            return Mono.empty();
        }
        return Mono.fromCallable(() -> encode(ids)).subscribeOn(Schedulers.boundedElastic())
                .flatMap(encoded -> {
                    String chunk = jobId + "/" + splitId + "/" + UUID.randomUUID();
                    Map<String, Object> doc = new LinkedHashMap<>();
                    doc.put("job_id", jobId);
                    doc.put("split_id", splitId);
                    doc.put("chunk", chunk);
                    doc.put("count", ids.size());
                    doc.put("ids", encoded);
                    return store.create(StateStore.Kind.SPLIT_IDS, chunk, doc, false);
                })
                .then();
    }

    /** Every id saved for the job, chunk by chunk (an id may come more than once). */
    public Flux<String> read(String jobId) {
        return store.refresh(StateStore.Kind.SPLIT_IDS)
                .thenMany(store.scan(StateStore.Kind.SPLIT_IDS, byJob(jobId), "chunk", PAGE))
                .concatMapIterable(hit -> decode(String.valueOf(hit.doc().get("ids"))));
    }

    /** Deletes the job's chunks; emits how many. */
    public Mono<Integer> delete(String jobId) {
        return store.refresh(StateStore.Kind.SPLIT_IDS)
                .thenMany(store.scan(StateStore.Kind.SPLIT_IDS, byJob(jobId), "chunk", 500).map(StateStore.Versioned::id))
                .buffer(500)
                .concatMap(ids -> store.delete(StateStore.Kind.SPLIT_IDS, ids))
                .reduce(0, Integer::sum);
    }

    private static Query byJob(String jobId) {
        return Query.of(q -> q.term(t -> t.field("job_id").value(jobId)));
    }

    static String encode(Collection<String> ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(bytes, 1 << 16))) {
            out.writeInt(ids.size());
            for (String id : ids) {
                out.writeUTF(id);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    static List<String> decode(String encoded) {
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(new ByteArrayInputStream(
                Base64.getDecoder().decode(encoded)), 1 << 16))) {
            int n = in.readInt();
            List<String> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(in.readUTF());
            }
            return out;
        } catch (IOException e) {
            throw new StateException("a chunk of split ids cannot be read: " + e.getMessage());
        }
    }
}
