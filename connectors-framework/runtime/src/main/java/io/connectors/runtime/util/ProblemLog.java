package io.connectors.runtime.util;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;

/**
 * Logs problems with single items without flooding the log: the first few are logged in full, the rest only
 * counted per kind, and {@link #summary()} gives the totals at the end.
 */
public final class ProblemLog {
    private final Logger log;
    private final String what;
    private final int detailed;
    private final AtomicLong total = new AtomicLong();
    private final Map<String, LongAdder> byKind = new ConcurrentHashMap<>();

    /**
     * @param log      where to log
     * @param what     what the problems are about, e.g. "Document refused"
     * @param detailed how many problems are logged in full before only counting
     */
    public ProblemLog(Logger log, String what, int detailed) {
        this.log = log;
        this.what = what;
        this.detailed = detailed;
    }

    /** Counts a problem of this kind, and logs it if it is among the first few. */
    public void report(String kind, String message) {
        byKind.computeIfAbsent(kind, k -> new LongAdder()).increment();
        long n = total.incrementAndGet();
        if (n <= detailed) {
            log.warn("{}: {}", what, message);
        } else if (n == detailed + 1) {
            log.warn("{}: more follow; they are counted and summarized at the end", what);
        }
    }

    /** Problems reported so far. */
    public long total() {
        return total.get();
    }

    /** "{kind=count, ...}" or empty when nothing was reported. */
    public String summary() {
        Map<String, Long> counts = new java.util.TreeMap<>();
        byKind.forEach((k, v) -> counts.put(k, v.sum()));
        return counts.toString();
    }
}
