package io.connectors.spi;

import io.connectors.spi.rules.SyncRules;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Capability: the source divides its full read into {@linkplain SourceSplit splits}, each readable on its own and
 * from a {@linkplain SplitPosition position} reached earlier, so that a full sync can read several splits at once,
 * resume where it stopped after a restart, and spread its splits over several daemons.
 *
 * <p>Splits and positions are small JSON values: the runtime stores them in the job record, and another process (a
 * daemon started later, a second daemon of the same cluster) gives them back to a new instance of the source. A source
 * without this capability is read as one split that always starts over.
 *
 * <h2>Contract</h2>
 * For the same source content and rules, checked by the testkit's contract suite:
 * <ul>
 *   <li>the union of the splits' documents is exactly what {@link BaseDataSource#getDocs} emits, and no document is in
 *       two splits;</li>
 *   <li>reading a split from a position it emitted yields exactly the documents that followed that position in the
 *       read that emitted it;</li>
 *   <li>a split handed back from its JSON form ({@link SourceSplit#values()} read back as JSON-compatible maps,
 *       lists, strings, numbers and booleans; a number may come back as another {@link Number} type) reads the same.</li>
 * </ul>
 */
public interface SplittableSource {

    /**
     * Plans the splits of a full read with these rules: key ranges from catalog statistics or a small sample, never a
     * scan of the data. Emits at least one split; the split ids are unique in the plan. Lazy.
     *
     * <p>A plan is made once per job and stored with it; the source content may change between planning and reading,
     * so a split is a range, not a list: a document added later inside a range is read with that range's split.
     */
    Mono<List<SourceSplit>> planSplits(SyncRules rules);

    /**
     * Reads one split.
     *
     * <p>Emits the split's documents as {@link SplitEvent.Document}s (built or, for a {@link DeferredSource},
     * deferred), with a {@link SplitEvent.Position} after any document where the read could later resume: the position
     * covers every document emitted before it. A source should emit positions often enough (every page, every few
     * hundred documents) that a resumed read repeats little. Lazy, backpressured and cancellable like
     * {@link BaseDataSource#getDocs}; errors follow the same rules, and a {@link SourceException} marked
     * {@linkplain SourceException#retryable() retryable} lets the runtime read the split again from its last
     * acknowledged position instead of failing the job.
     *
     * @param split a split of a plan this source type made (perhaps by another instance, in another process)
     * @param from  where to resume, a position this source type emitted while reading {@code split}; {@code null} to
     *              read the split from its start
     * @param rules the rules the split was planned with
     */
    Flux<SplitEvent> readSplit(SourceSplit split, SplitPosition from, SyncRules rules);
}
