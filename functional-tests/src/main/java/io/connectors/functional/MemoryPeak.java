package io.connectors.functional;

/**
 * The most memory a daemon process used.
 *
 * @param rssBytes  peak resident set size ({@code VmHWM} of {@code /proc/<pid>/status}); -1 when unknown
 * @param heapBytes peak Java heap in use (survivor, eden and old generations), sampled every 250 ms with
 *                  {@code jstat -gc}; -1 when unknown
 */
public record MemoryPeak(long rssBytes, long heapBytes) {
}
