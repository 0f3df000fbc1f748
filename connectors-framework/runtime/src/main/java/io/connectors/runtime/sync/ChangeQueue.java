package io.connectors.runtime.sync;

import io.connectors.runtime.sink.BulkOp;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The operations of an incremental sync between the source and the sink, kept so that one id is never in flight
 * twice: Elasticsearch may apply the operations of different batches out of order (concurrent requests, retries).
 *
 * <p>An operation waits here until it is taken for the sink. An operation whose id is in flight is blocked until that
 * one is resolved, while operations on other ids overtake it; a later change to a waiting id replaces its operation
 * (the last one wins: an update then a delete ends deleted). Each operation gets a sequence number as it arrives and an
 * ordinal as it is taken (the sink resolves them in ordinal order), which is what {@link CheckpointLedger} reasons
 * with. Not thread-safe: {@link IncrementalSync}'s run guards it with its lock.
 */
final class ChangeQueue {

    /** A change waiting to be taken; its operation is replaced by later changes of the same id. */
    private static final class Waiting {
        final String id;
        final long seq;
        BulkOp op;
        /** An operation with this id is in flight. */
        boolean blocked;

        Waiting(String id, long seq, BulkOp op) {
            this.id = id;
            this.seq = seq;
            this.op = op;
        }
    }

    private record Sent(long ordinal, String id) {
    }

    private long nextSeq;
    private final Map<String, Waiting> waitingById = new HashMap<>();
    private final TreeMap<Long, Waiting> waitingBySeq = new TreeMap<>();
    private final ArrayDeque<Waiting> ready = new ArrayDeque<>();
    private final Map<String, Long> inFlight = new HashMap<>();
    private final ArrayDeque<Sent> sent = new ArrayDeque<>();
    private long taken;
    private long coalesced;

    /** Adds an operation: ready at once, blocked behind an operation of its id in flight, or replacing a waiting one. */
    void add(BulkOp op) {
        Waiting w = waitingById.get(op.id());
        if (w != null) {
            // Not sent yet: the later change replaces it.
            w.op = op;
            coalesced++;
            return;
        }
        w = new Waiting(op.id(), nextSeq++, op);
        waitingById.put(w.id, w);
        waitingBySeq.put(w.seq, w);
        if (inFlight.containsKey(w.id)) {
            w.blocked = true;
        } else {
            ready.add(w);
        }
    }

    /** Operations that can be taken now. */
    int readyCount() {
        return ready.size();
    }

    /** Takes the next ready operation for the sink; it gets the next ordinal. Only when {@link #readyCount} > 0. */
    BulkOp take() {
        Waiting w = ready.poll();
        waitingById.remove(w.id);
        waitingBySeq.remove(w.seq);
        taken++;
        inFlight.put(w.id, taken);
        sent.add(new Sent(taken, w.id));
        return w.op;
    }

    /** The first {@code resolved} operations taken are resolved: ids no longer in flight unblock what waits on them. */
    void resolved(long resolved) {
        while (!sent.isEmpty() && sent.peek().ordinal() <= resolved) {
            Sent s = sent.poll();
            if (inFlight.remove(s.id(), s.ordinal())) {
                Waiting w = waitingById.get(s.id());
                if (w != null && w.blocked) {
                    w.blocked = false;
                    ready.add(w);
                }
            }
        }
    }

    /** Operations taken so far: the ordinal of the last one. */
    long taken() {
        return taken;
    }

    /** The sequence number the next operation added will get. */
    long nextSeq() {
        return nextSeq;
    }

    /** Whether nothing waits (ready or blocked). */
    boolean nothingWaits() {
        return waitingBySeq.isEmpty();
    }

    /** Whether an operation added at or after sequence number {@code seq} still waits. */
    boolean waitsSince(long seq) {
        return waitingBySeq.ceilingKey(seq) != null;
    }

    /** Whether an operation added before sequence number {@code seq} still waits. */
    boolean waitsBefore(long seq) {
        return !waitingBySeq.isEmpty() && waitingBySeq.firstKey() < seq;
    }

    /** Changes replaced by later changes of the same id before they were taken. */
    long coalesced() {
        return coalesced;
    }

    /** Forgets every waiting operation (the run ended). */
    void clearWaiting() {
        waitingById.clear();
        waitingBySeq.clear();
        ready.clear();
    }
}
