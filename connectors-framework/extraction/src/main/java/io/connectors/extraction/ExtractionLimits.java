package io.connectors.extraction;

import java.time.Duration;
import java.util.Objects;

/**
 * The bounds of content extraction.
 *
 * @param workers                parser processes at most, each parsing one document at a time
 * @param workerHeapBytes        the maximum heap of each parser process ({@code -Xmx})
 * @param timeout                the time one document may take in a parser; beyond it the process is stopped
 * @param maxInputBytes          bodies larger than this are not parsed
 * @param maxCharacters          text beyond this many characters is cut off
 * @param maxDocumentsPerWorker  a parser process is replaced after this many documents, so that what a parser leaks
 *                               does not accumulate
 */
public record ExtractionLimits(int workers, long workerHeapBytes, Duration timeout, long maxInputBytes,
                               int maxCharacters, int maxDocumentsPerWorker) {
    public ExtractionLimits {
        Objects.requireNonNull(timeout, "timeout");
        if (workers < 1 || workerHeapBytes < 16L << 20 || timeout.isNegative() || timeout.isZero() || maxInputBytes < 1
                || maxCharacters < 1 || maxDocumentsPerWorker < 1) {
            throw new IllegalArgumentException("invalid extraction limits: " + this);
        }
    }
}
