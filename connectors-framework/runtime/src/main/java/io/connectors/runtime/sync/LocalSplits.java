package io.connectors.runtime.sync;

import io.connectors.spi.SourceSplit;
import io.connectors.spi.SplitPosition;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The splits of a full sync run without a control plane (tests, embedding): planned, claimed and checkpointed in this
 * process only, so nothing survives it. The ids saved for the deletion pass go to a temporary file, not the heap.
 */
public final class LocalSplits implements SplitCoordination, AutoCloseable {
    private final Path file;
    private DataOutputStream out;
    private Plan plan;
    /** By split id, in plan order; guarded by this. */
    private final Map<String, State> states = new LinkedHashMap<>();

    private static final class State {
        final SourceSplit split;
        boolean claimed;
        boolean done;
        SplitPosition position;
        long seen;
        long written;

        State(SourceSplit split) {
            this.split = split;
        }
    }

    /** @param dir where the ids file goes (deleted by {@link #close()}) */
    public LocalSplits(Path dir) {
        try {
            this.file = SpillFiles.create(dir, "split-ids");
            this.out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a file in " + dir, e);
        }
    }

    @Override
    public Mono<Plan> plan(Mono<Plan> planner) {
        return Mono.defer(() -> {
            synchronized (this) {
                if (plan != null) {
                    return Mono.just(plan);
                }
            }
            return planner.map(p -> {
                synchronized (this) {
                    if (plan == null) {
                        plan = p;
                        p.splits().forEach(s -> states.put(s.id(), new State(s)));
                    }
                    return plan;
                }
            });
        });
    }

    @Override
    public Mono<Claimed> claim() {
        return Mono.fromSupplier(() -> {
            synchronized (this) {
                for (State s : states.values()) {
                    if (!s.claimed && !s.done) {
                        s.claimed = true;
                        return new Claimed(s.split, s.position, s.seen, s.written);
                    }
                }
                return null;
            }
        });
    }

    @Override
    public Mono<Set<String>> save(List<Progress> progress) {
        return Mono.fromCallable(() -> {
            synchronized (this) {
                for (Progress p : progress) {
                    for (String id : p.ids()) {
                        out.writeUTF(id);
                    }
                    State s = states.get(p.splitId());
                    if (p.position() != null) {
                        s.position = p.position();
                    }
                    s.seen = p.seen();
                    s.written = p.written();
                    s.done |= p.done();
                }
                return Set.<String>of();
            }
        }).subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    public Mono<Void> release(Set<String> splitIds) {
        return Mono.fromRunnable(() -> {
            synchronized (this) {
                splitIds.forEach(id -> states.get(id).claimed = false);
            }
        });
    }

    @Override
    public Mono<Remaining> remaining() {
        return Mono.fromSupplier(() -> {
            synchronized (this) {
                int open = 0;
                int claimable = 0;
                for (State s : states.values()) {
                    if (!s.done) {
                        open++;
                        if (!s.claimed) {
                            claimable++;
                        }
                    }
                }
                return new Remaining(open, claimable);
            }
        });
    }

    @Override
    public Flux<String> ids() {
        return Flux.<String, DataInputStream>generate(this::openIds, (in, sink) -> {
                    try {
                        sink.next(in.readUTF());
                    } catch (EOFException e) {
                        sink.complete();
                    } catch (IOException e) {
                        sink.error(new UncheckedIOException("reading " + file + " failed", e));
                    }
                    return in;
                }, in -> {
                    try {
                        in.close();
                    } catch (IOException e) {
                        // Read to its end or abandoned: nothing is lost by not closing cleanly.
                    }
                })
                .subscribeOn(Schedulers.boundedElastic());
    }

    private DataInputStream openIds() {
        try {
            synchronized (this) {
                out.flush();
            }
            return new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file + " failed", e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("deleting " + file + " failed", e);
        }
    }
}
