package io.connectors.functional.bench;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How fast Elasticsearch takes these documents with nothing in front of it: the {@link BulkCorpus} bodies sent
 * as they are, by {@code concurrency} threads each with one request in flight, into a fresh index created with the
 * same settings and mappings as the daemon's. The clock runs from the first request to the end of the final
 * {@code _refresh} (the daemon's sync also ends with one), so it holds no serialization and no source.
 */
final class ElasticsearchCeiling {
    private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchCeiling.class);
    /** Other processes using more than this many cores during a trial disturbed it... */
    static final double DISTURBED_CORES = 0.3;
    /** ...and it is run again, up to this many runs in all. */
    static final int MAX_ATTEMPTS = 3;

    private final ElasticsearchHttp es;
    private final BulkCorpus corpus;
    private final Map<String, Object> indexBody;
    private final CpuSampler cpu;
    private final Gate gate;

    /** Called before each trial: waits for a quiet machine. */
    @FunctionalInterface
    interface Gate {
        void await(String what) throws InterruptedException;
    }

    /**
     * One measured combination.
     *
     * @param failedItems documents Elasticsearch refused or requests that failed; a trial with any is not counted
     * @param cpu         cores used during the trial, when the sampler had two readings inside it
     * @param attempts    runs of this combination: a run disturbed by other processes is repeated
     */
    record Trial(int batchSize, int concurrency, long documents, long bytes, double seconds, long failedItems,
                 String firstError, CpuSampler.Split cpu, int attempts) {
        double docsPerSecond() {
            return documents / seconds;
        }

        double bytesPerSecond() {
            return bytes / seconds;
        }

        boolean valid() {
            return failedItems == 0;
        }
    }

    /**
     * @param indexBody the settings and mappings of each trial's index (see {@link BenchMain})
     */
    ElasticsearchCeiling(ElasticsearchHttp es, BulkCorpus corpus, Map<String, Object> indexBody, CpuSampler cpu,
                         Gate gate) {
        this.es = es;
        this.corpus = corpus;
        this.indexBody = indexBody;
        this.cpu = cpu;
        this.gate = gate;
    }

    /** Every combination, in order, each into a fresh index deleted afterwards. */
    List<Trial> runAll(String indexPrefix, List<Integer> batchSizes, List<Integer> concurrencies)
            throws IOException, InterruptedException {
        List<Trial> trials = new ArrayList<>();
        for (int batch : batchSizes) {
            for (int concurrency : concurrencies) {
                String index = indexPrefix + "-b" + batch + "-c" + concurrency;
                Trial t = run(index, batch, concurrency, corpus.documents(), 1);
                while (disturbed(t) && t.attempts() < MAX_ATTEMPTS) {
                    LOG.info("Other processes used {} cores during that trial; running it again",
                            String.format(java.util.Locale.ROOT, "%.2f", t.cpu().others()));
                    t = run(index, batch, concurrency, corpus.documents(), t.attempts() + 1);
                }
                LOG.info("Elasticsearch ceiling, {} docs x {} in flight: {} docs/s ({} s{})", batch, concurrency,
                        Math.round(t.docsPerSecond()), String.format(java.util.Locale.ROOT, "%.1f", t.seconds()),
                        t.valid() ? "" : ", " + t.failedItems() + " failed: " + t.firstError());
                trials.add(t);
            }
        }
        return trials;
    }

    /** Whether other processes used enough CPU during the trial to make it unrepresentative. */
    static boolean disturbed(Trial t) {
        return t.cpu() != null && t.cpu().others() > DISTURBED_CORES;
    }

    /** The fastest trial without failures. */
    static Optional<Trial> best(List<Trial> trials) {
        Trial best = null;
        for (Trial t : trials) {
            if (t.valid() && (best == null || t.docsPerSecond() > best.docsPerSecond())) {
                best = t;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Sends the first {@code limit} documents in bodies of {@code batchSize}, {@code concurrency} at a time. */
    Trial run(String index, int batchSize, int concurrency, int limit, int attempt) throws IOException, InterruptedException {
        es.deleteIndex(index);
        es.createIndex(index, indexBody);
        gate.await("Elasticsearch ceiling, " + batchSize + " docs x " + concurrency + " in flight");
        List<BulkCorpus.Body> bodies = corpus.bodies(batchSize, limit);
        long documents = bodies.stream().mapToLong(BulkCorpus.Body::count).sum();
        long bytes = bodies.stream().mapToLong(b -> b.to() - b.from()).sum();
        AtomicInteger next = new AtomicInteger();
        AtomicLong failed = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        ExecutorService senders = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "bench-bulk-sender");
            t.setDaemon(true);
            return t;
        });
        Instant from = Instant.now();
        long started = System.nanoTime();
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < concurrency; w++) {
                workers.add(senders.submit(() -> {
                    for (int i = next.getAndIncrement(); i < bodies.size(); i = next.getAndIncrement()) {
                        BulkCorpus.Body body = bodies.get(i);
                        ElasticsearchHttp.BulkAnswer answer = es.bulk(index, corpus.read(body));
                        if (answer.errors()) {
                            failed.addAndGet(answer.failedItems() < 0 ? body.count() : answer.failedItems());
                            firstError.compareAndSet(null, "HTTP " + answer.status() + ": " + answer.firstError());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> w : workers) {
                try {
                    w.get();
                } catch (ExecutionException e) {
                    failed.addAndGet(1);
                    firstError.compareAndSet(null, String.valueOf(e.getCause()));
                }
            }
            es.refresh(index);
        } finally {
            senders.shutdownNow();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        Instant to = Instant.now();
        long indexed = es.count(index);
        if (indexed != documents && failed.get() == 0) {
            failed.set(Math.abs(documents - indexed));
            firstError.set("the index holds " + indexed + " documents, " + documents + " were sent");
        }
        es.deleteIndex(index);
        return new Trial(batchSize, concurrency, documents, bytes, seconds, failed.get(), firstError.get(),
                cpu == null ? null : cpu.between(from, to).orElse(null), attempt);
    }
}
