package io.connectors.runtime.sync;

import io.connectors.spi.SourceSplit;
import io.connectors.spi.SplitPosition;
import java.util.List;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Where the splits of one full sync are planned, claimed and checkpointed, so that several readers (in this process or
 * in other daemons) share them and a restarted job resumes them: the job record in a daemon ({@code JobSplits}),
 * memory for a one-off run ({@link LocalSplits}). Every method is lazy; they may be called from any thread.
 */
public interface SplitCoordination {

    /**
     * A split this worker claimed.
     *
     * @param split      the split as planned
     * @param position   where to resume it; {@code null} to read it from its start
     * @param seenBefore    documents of the split covered by {@code position} (read by earlier reads)
     * @param writtenBefore index operations acknowledged for it by earlier reads
     */
    record Claimed(SourceSplit split, SplitPosition position, long seenBefore, long writtenBefore) {
    }

    /**
     * A job's plan.
     *
     * @param splits the splits, at least one
     * @param cursor the incremental cursor taken before planning, saved when the job completes; {@code null} for a
     *               source without incremental syncs
     * @param done   documents of the splits already done when the plan was read (a resumed job does not read them)
     */
    record Plan(List<SourceSplit> splits, io.connectors.spi.SyncCursor cursor, long done) {
        public Plan(List<SourceSplit> splits, io.connectors.spi.SyncCursor cursor) {
            this(splits, cursor, 0);
        }

        public Plan {
            splits = List.copyOf(splits);
            if (splits.isEmpty()) {
                throw new IllegalArgumentException("a plan needs at least one split");
            }
        }
    }

    /**
     * The progress of one split to save.
     *
     * @param splitId  the split
     * @param position its latest acknowledged position; {@code null} when none was reached since it was claimed
     * @param ids      ids of documents covered by {@code position} (or by the whole split when done) not saved before
     * @param seen     documents covered by {@code position}, all reads together
     * @param written  index operations acknowledged, all reads together
     * @param done     every document of the split was acknowledged
     */
    record Progress(String splitId, SplitPosition position, List<String> ids, long seen, long written, boolean done) {
    }

    /**
     * The plan of the job: the one saved, or else the one {@code planner} makes, saved first (when two planners race,
     * one plan wins and both get it).
     */
    Mono<Plan> plan(Mono<Plan> planner);

    /** Claims a split: a pending one, or one whose reader stopped saving its progress. Empty when there is none now. */
    Mono<Claimed> claim();

    /**
     * Saves progress: the ids first, then the positions. Emits the ids of the splits among them that are no longer
     * this worker's (taken over after it seemed dead): their reads must stop.
     */
    Mono<Set<String>> save(List<Progress> progress);

    /** Puts this worker's unfinished splits back (pending, positions kept), after a last {@link #save}. */
    Mono<Void> release(Set<String> splitIds);

    /** How many splits are not done yet, and how many of those no live reader holds (claimable now). */
    record Remaining(int open, int claimable) {
    }

    Mono<Remaining> remaining();

    /** Every id saved by {@link #save} for this job, from every worker and every attempt. */
    Flux<String> ids();
}
