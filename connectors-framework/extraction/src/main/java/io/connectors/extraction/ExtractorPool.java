package io.connectors.extraction;

import io.connectors.extraction.Extraction.Outcome;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded pool of parser processes shared by every sync of a daemon: {@code workers} threads, each owning at most
 * one {@link WorkerProcess}, started on first use and replaced when it dies or has parsed
 * {@code max_documents_per_worker} documents. Requests beyond the threads wait in a queue, whose length the
 * callers' demand bounds. Idle processes are stopped after {@link #IDLE}, so a daemon that extracts once a day
 * holds no parser between syncs.
 */
public final class ExtractorPool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ExtractorPool.class);
    /** A parser process unused for this long is stopped. */
    static final long IDLE_MILLIS = 60_000;

    private final ExtractionLimits limits;
    private final WorkerArchive archive;
    private final ThreadPoolExecutor threads;
    private final ScheduledExecutorService watchdog;
    private final Set<WorkerProcess> processes = ConcurrentHashMap.newKeySet();
    private final ThreadLocal<WorkerProcess> own = new ThreadLocal<>();
    private final AtomicLong started = new AtomicLong();
    private volatile boolean closed;

    /** Without a class-data archive of the parser processes. */
    public ExtractorPool(ExtractionLimits limits) {
        this(limits, null);
    }

    /**
     * @param archiveDir where the parser processes' class-data archive is kept ({@link WorkerArchive}); {@code null}
     *                   for none
     */
    public ExtractorPool(ExtractionLimits limits, Path archiveDir) {
        this.limits = limits;
        this.archive = WorkerArchive.in(archiveDir, System.getProperty("java.class.path"));
        AtomicInteger n = new AtomicInteger();
        this.threads = new ThreadPoolExecutor(limits.workers(), limits.workers(), IDLE_MILLIS, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(() -> {
                        try {
                            r.run();
                        } finally {
                            stopOwn();
                        }
                    }, "connectors-extract-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        // Idle threads end after IDLE_MILLIS, and their process with them (stopOwn above).
        this.threads.allowCoreThreadTimeOut(true);
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "connectors-extract-watchdog");
            t.setDaemon(true);
            return t;
        });
    }

    /** Parser processes started so far (each replacement counts). */
    public long processesStarted() {
        return started.get();
    }

    /** Parser processes alive now. */
    public int processesAlive() {
        return (int) processes.stream().filter(WorkerProcess::alive).count();
    }

    /**
     * Extracts the text of {@code file}; completes with a failed {@link Extraction} rather than exceptionally. A
     * cancelled future that has not started yet is never parsed.
     *
     * @param name     the document's file name, a hint for format detection ({@code ""} for none)
     * @param mimeType the type the source knows ({@code ""} for none): a hint, the content decides
     */
    public CompletableFuture<Extraction> extract(Path file, String name, String mimeType) {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("the extractor pool is closed"));
        }
        return CompletableFuture.supplyAsync(() -> run(file, name == null ? "" : name, mimeType == null ? "" : mimeType),
                threads);
    }

    private Extraction run(Path file, String name, String mimeType) {
        try {
            long size = java.nio.file.Files.size(file);
            if (size > limits.maxInputBytes()) {
                return tooLarge(size, limits.maxInputBytes());
            }
        } catch (IOException e) {
            return Extraction.failed(Outcome.UNREADABLE, "cannot read the file: " + e);
        }
        WorkerProcess worker = own.get();
        if (worker == null || !worker.alive()) {
            if (worker != null) {
                retire(worker);
            }
            try {
                worker = WorkerProcess.start(limits, watchdog, archive);
            } catch (IOException e) {
                LOG.warn("Content extraction: {}", e.getMessage());
                return Extraction.failed(Outcome.CRASHED, e.getMessage());
            }
            started.incrementAndGet();
            processes.add(worker);
            own.set(worker);
            if (closed) {
                retire(worker);
                throw new IllegalStateException("the extractor pool is closed");
            }
        }
        Extraction result = worker.extract(file, name, mimeType, watchdog);
        if (!worker.alive() || worker.documents() >= limits.maxDocumentsPerWorker()) {
            if (worker.alive()) {
                LOG.debug("Parser process {} replaced after {} documents", worker.pid(), worker.documents());
            }
            retire(worker);
            own.remove();
        }
        return result;
    }

    /** The outcome of a body of {@code size} bytes, over the {@code limit}. */
    public static Extraction tooLarge(long size, long limit) {
        return Extraction.failed(Outcome.TOO_LARGE, size + " bytes, more than extraction.max_input_size (" + limit
                + " bytes): not parsed");
    }

    private void stopOwn() {
        WorkerProcess worker = own.get();
        if (worker != null) {
            retire(worker);
            own.remove();
        }
    }

    private void retire(WorkerProcess worker) {
        processes.remove(worker);
        worker.close();
    }

    /** Stops every parser process; requests not started fail. */
    @Override
    public void close() {
        closed = true;
        // The processes first, from this thread: one may be writing the class-data archive as it ends.
        for (WorkerProcess worker : Set.copyOf(processes)) {
            retire(worker);
        }
        threads.shutdownNow();
        watchdog.shutdownNow();
    }
}
