package io.connectors.runtime.sync;

import io.connectors.runtime.sink.SinkStats;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counts of one sync, updated concurrently by the sync engine and, through {@link SinkStats}, the bulk sink.
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
 *
 * <p>Besides the counts, it keeps the first {@value #MAX_SAMPLES} failed and the first {@value #MAX_SAMPLES} dropped
 * documents as {@link DocumentProblem}s (id, operation, error type, reason), for the job record: enough to find and
 * fix the cause, bounded whatever the number of failures.
 */
public final class SyncStats implements SinkStats {
    /**
     * What the job has to say beyond its counts ("the saved cursor could not be resumed: ran a full sync"), in order:
     * in its report at the end, and in its record at every heartbeat while it runs (a real-time job never ends).
     */
    private final List<String> notes = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final LongAdder indexed = new LongAdder();
    private final LongAdder updated = new LongAdder();
    private final LongAdder unchanged = new LongAdder();
    private final LongAdder deleted = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final LongAdder seen = new LongAdder();
    private final LongAdder skippedByResume = new LongAdder();
    private final LongAdder extracted = new LongAdder();
    private final LongAdder notExtracted = new LongAdder();
    private volatile boolean extracting;
    /** Guarded by itself. */
    private final List<DocumentProblem> notExtractedSamples = new ArrayList<>();
    /** Guarded by itself. */
    private final List<DocumentProblem> failedSamples = new ArrayList<>();
    /** Guarded by itself. */
    private final List<DocumentProblem> droppedSamples = new ArrayList<>();

    /** Failed documents, and dropped documents, kept as samples per sync. */
    public static final int MAX_SAMPLES = 20;

    /**
     * One document Elasticsearch refused, or the runtime dropped before sending.
     *
     * @param id        the {@code _id} (normalized: at most 512 bytes)
     * @param operation {@code index} or {@code delete}
     * @param status    the item's HTTP status; 0 when the document was never sent
     * @param errorType Elasticsearch's error type ({@code document_parsing_exception}), or the runtime's
     *                  ({@code too_large}, {@code invalid_document})
     * @param reason    why, without document content: Elasticsearch's reason with any preview of a field's value cut
     *                  off, capped in length
     */
    public record DocumentProblem(String id, String operation, int status, String errorType, String reason) {

        /** As stored in the job record. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("operation", operation);
            if (status > 0) {
                m.put("status", status);
            }
            m.put("error_type", errorType);
            m.put("reason", reason);
            return m;
        }
    }

    @Override
    public void addIndexed(long n) {
        indexed.add(n);
    }

    @Override
    public void addUpdated(long n) {
        updated.add(n);
    }

    public void addUnchanged(long n) {
        unchanged.add(n);
    }

    @Override
    public void addDeleted(long n) {
        deleted.add(n);
    }

    public void addDropped(long n) {
        dropped.add(n);
    }

    public void addFailed(long n) {
        failed.add(n);
    }

    @Override
    public void addBytes(long n) {
        bytes.add(n);
    }

    @Override
    public void documentFailed(String id, String operation, int status, String errorType, String reason) {
        addFailed(1);
        sampleFailed(new DocumentProblem(id, operation, status, errorType, reason));
    }

    @Override
    public void documentDropped(String id, String operation, String errorType, String reason) {
        addDropped(1);
        sampleDropped(new DocumentProblem(id, operation, 0, errorType, reason));
    }

    /** Keeps {@code problem} as a sample of the failed documents, if fewer than {@value #MAX_SAMPLES} are kept. */
    public void sampleFailed(DocumentProblem problem) {
        sample(failedSamples, problem);
    }

    /** Keeps {@code problem} as a sample of the dropped documents, if fewer than {@value #MAX_SAMPLES} are kept. */
    public void sampleDropped(DocumentProblem problem) {
        sample(droppedSamples, problem);
    }

    private static void sample(List<DocumentProblem> samples, DocumentProblem problem) {
        synchronized (samples) {
            if (samples.size() < MAX_SAMPLES) {
                samples.add(problem);
            }
        }
    }

    /** The first failed documents, in the order they failed. */
    public List<DocumentProblem> failedSamples() {
        synchronized (failedSamples) {
            return List.copyOf(failedSamples);
        }
    }

    /** The first dropped documents, in the order they were dropped. */
    public List<DocumentProblem> droppedSamples() {
        synchronized (droppedSamples) {
            return List.copyOf(droppedSamples);
        }
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

    /** Documents a resumed full sync did not read again: earlier attempts' acknowledged split positions covered them. */
    public void addSkippedByResume(long n) {
        skippedByResume.add(n);
    }

    public long skippedByResume() {
        return skippedByResume.sum();
    }

    /** The sync extracts content: its counts include {@code extracted} and {@code not_extracted}, even at 0. */
    public void extracting() {
        extracting = true;
    }

    /** One body's text was extracted. */
    public void contentExtracted() {
        extracting = true;
        extracted.increment();
    }

    /** One body gave no text (the document is still written, without it); kept as a sample. */
    public void contentNotExtracted(DocumentProblem problem) {
        extracting = true;
        notExtracted.increment();
        sample(notExtractedSamples, problem);
    }

    public long extracted() {
        return extracted.sum();
    }

    public long notExtracted() {
        return notExtracted.sum();
    }

    public List<DocumentProblem> notExtractedSamples() {
        synchronized (notExtractedSamples) {
            return List.copyOf(notExtractedSamples);
        }
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
        if (extracting) {
            m.put("extracted", extracted());
            m.put("not_extracted", notExtracted());
        }
        long resumed = skippedByResume();
        if (resumed > 0) {
            m.put("skipped_by_resume", resumed);
        }
        return m;
    }

    @Override
    public String toString() {
        return io.connectors.runtime.util.Human.counts(snapshot());
    }

    /** The job's notes so far; add to it (thread-safe). */
    public List<String> notes() {
        return notes;
    }
}
