package io.connectors.runtime.sync;

import io.connectors.spi.SyncCursor;
import java.util.ArrayDeque;

/**
 * When each checkpoint of an incremental sync becomes safe to save: once every operation before it in the source's
 * stream was acknowledged, and none failed.
 *
 * <p>A checkpoint arriving while changes before it still wait in the {@link ChangeQueue} is <em>unsealed</em>: it waits
 * until none of them waits any more. It is then <em>sealed</em> with the number of operations taken by then: it is
 * safe once that many operations are resolved. A failure of unknown position in a batch blocks every later checkpoint
 * for the rest of the run (the next run starts from the last safe one and applies the failed changes again).
 * Consecutive checkpoints that would become safe together are coalesced into the latest. Not thread-safe:
 * {@link IncrementalSync}'s run guards it with its lock.
 */
final class CheckpointLedger {

    /** A checkpoint behind waiting changes: it waits until no change added before {@code bound} waits. */
    private static final class Unsealed {
        final long bound;
        SyncCursor cursor;

        Unsealed(long bound, SyncCursor cursor) {
            this.bound = bound;
            this.cursor = cursor;
        }
    }

    /** A checkpoint that is safe once the first {@code required} operations are resolved without failure. */
    private static final class Sealed {
        final long required;
        SyncCursor cursor;

        Sealed(long required, SyncCursor cursor) {
            this.required = required;
            this.cursor = cursor;
        }
    }

    private final ChangeQueue queue;
    private final ArrayDeque<Unsealed> unsealed = new ArrayDeque<>();
    private final ArrayDeque<Sealed> sealed = new ArrayDeque<>();
    private long resolved;
    private SyncCursor safe;
    private boolean blocked;

    CheckpointLedger(ChangeQueue queue) {
        this.queue = queue;
    }

    /** A checkpoint arrived from the source, after every change before it was added to the queue. */
    void arrived(SyncCursor cursor) {
        if (blocked) {
            return;
        }
        if (queue.nothingWaits()) {
            seal(queue.taken(), cursor);
            return;
        }
        Unsealed last = unsealed.peekLast();
        if (last != null && !queue.waitsSince(last.bound)) {
            // Nothing arrived between the two is still waiting: both would be sealed at once.
            last.cursor = cursor;
        } else {
            unsealed.add(new Unsealed(queue.nextSeq(), cursor));
        }
    }

    /** An operation was taken from the queue: seals the checkpoints no waiting change holds back any more. */
    void taken() {
        while (!unsealed.isEmpty()) {
            Unsealed u = unsealed.peek();
            if (queue.waitsBefore(u.bound)) {
                return;
            }
            unsealed.poll();
            seal(queue.taken(), u.cursor);
        }
    }

    private void seal(long required, SyncCursor cursor) {
        if (required <= resolved) {
            sealed.clear();
            safe = cursor;
            return;
        }
        Sealed last = sealed.peekLast();
        if (last != null && last.required == required) {
            last.cursor = cursor;
        } else {
            sealed.add(new Sealed(required, cursor));
        }
    }

    /**
     * The sink resolved {@code count} more operations (in order).
     *
     * @param failed whether one of them failed (its position is unknown): then only checkpoints before them are safe,
     *               and no later one will be
     */
    void resolved(long count, boolean failed) {
        long before = resolved;
        resolved += count;
        if (failed) {
            release(before);
            block();
        } else {
            release(resolved);
        }
    }

    /** Operations resolved so far. */
    long resolvedCount() {
        return resolved;
    }

    /** The sink is done: every checkpoint covered by what was resolved is safe. */
    void finish() {
        release(resolved);
    }

    /** A change was lost (its document cannot be serialized): no later checkpoint may be saved, earlier ones may. */
    void changeLost() {
        blocked = true;
    }

    /** Whether a checkpoint is safe and not yet handed out. */
    boolean hasSafe() {
        return safe != null;
    }

    /** The latest safe checkpoint not handed out yet, or null. */
    SyncCursor takeSafe() {
        SyncCursor c = safe;
        safe = null;
        return c;
    }

    private void release(long count) {
        while (!sealed.isEmpty() && sealed.peek().required <= count) {
            safe = sealed.poll().cursor;
        }
    }

    private void block() {
        blocked = true;
        unsealed.clear();
        sealed.clear();
    }
}
