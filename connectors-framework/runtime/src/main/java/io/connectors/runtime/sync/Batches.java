package io.connectors.runtime.sync;

import java.util.List;
import java.util.function.ToLongFunction;
import reactor.core.publisher.Flux;

/** Cuts a stream into batches bounded by a number of items and by their total size. */
final class Batches {
    private Batches() {
    }

    /**
     * Emits lists of at most {@code maxCount} items whose sizes add up to at most {@code maxBytes} (a single item
     * larger than that forms a batch of its own). Demand-driven: it holds one batch at most.
     */
    static <T> Flux<List<T>> byCountAndBytes(Flux<T> items, int maxCount, long maxBytes, ToLongFunction<T> size) {
        return Flux.defer(() -> {
            long[] state = new long[2]; // items, bytes in the open batch
            return items.bufferUntil(item -> {
                long s = size.applyAsLong(item);
                boolean cut = state[0] > 0 && (state[0] + 1 > maxCount || state[1] + s > maxBytes);
                if (cut) {
                    state[0] = 0;
                    state[1] = 0;
                }
                state[0]++;
                state[1] += s;
                return cut;
            }, true);
        });
    }
}
