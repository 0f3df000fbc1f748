package io.connectors.runtime.sync;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counts of one sync, updated concurrently by the sync engine and the bulk sink.
 *
 * <ul>
 *   <li>{@code indexed}: new documents written (Elasticsearch answered {@code created});</li>
 *   <li>{@code updated}: changed documents rewritten ({@code updated});</li>
 *   <li>{@code unchanged}: documents skipped because their version matched the index;</li>
 *   <li>{@code deleted}: documents removed because they vanished from the source;</li>
 *   <li>{@code dropped}: documents refused before sending (too large, not serializable);</li>
 *   <li>{@code failed}: documents Elasticsearch refused, after retries;</li>
 *   <li>{@code bytes}: bytes of document source acknowledged by Elasticsearch.</li>
 * </ul>
 */
public final class SyncStats {
    private final LongAdder indexed = new LongAdder();
    private final LongAdder updated = new LongAdder();
    private final LongAdder unchanged = new LongAdder();
    private final LongAdder deleted = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final LongAdder seen = new LongAdder();

    public void addIndexed(long n) {
        indexed.add(n);
    }

    public void addUpdated(long n) {
        updated.add(n);
    }

    public void addUnchanged(long n) {
        unchanged.add(n);
    }

    public void addDeleted(long n) {
        deleted.add(n);
    }

    public void addDropped(long n) {
        dropped.add(n);
    }

    public void addFailed(long n) {
        failed.add(n);
    }

    public void addBytes(long n) {
        bytes.add(n);
    }

    /** Documents read from the source so far. */
    public void addSeen(long n) {
        seen.add(n);
    }

    public long indexed() {
        return indexed.sum();
    }

    public long updated() {
        return updated.sum();
    }

    public long unchanged() {
        return unchanged.sum();
    }

    public long deleted() {
        return deleted.sum();
    }

    public long dropped() {
        return dropped.sum();
    }

    public long failed() {
        return failed.sum();
    }

    public long bytes() {
        return bytes.sum();
    }

    public long seen() {
        return seen.sum();
    }

    /** A consistent-enough copy for reports and job records. */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("seen", seen());
        m.put("indexed", indexed());
        m.put("updated", updated());
        m.put("unchanged", unchanged());
        m.put("deleted", deleted());
        m.put("dropped", dropped());
        m.put("failed", failed());
        m.put("bytes", bytes());
        return m;
    }

    @Override
    public String toString() {
        return snapshot().toString();
    }
}
