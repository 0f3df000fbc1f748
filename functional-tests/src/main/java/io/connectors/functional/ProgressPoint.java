package io.connectors.functional;

import java.time.Instant;

/**
 * One progress line of a running sync ({@code sync.progress_interval}).
 *
 * @param at      the daemon's log time of the line
 * @param seen    documents read from the source so far
 * @param indexed documents written as new so far
 */
public record ProgressPoint(Instant at, long seen, long indexed) {
}
