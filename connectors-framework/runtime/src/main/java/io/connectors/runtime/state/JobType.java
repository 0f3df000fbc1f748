package io.connectors.runtime.state;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * What a sync job does; stored lower case, the same names as the schedule keys of {@code config.yml} (except
 * {@link #REALTIME}, which is never scheduled).
 */
public enum JobType {
    /** Everything: new and changed documents written, vanished ones deleted. */
    FULL,
    /** Changes since the connector's saved cursor. */
    INCREMENTAL,
    /** The access-control documents of a source with document-level security. */
    ACCESS_CONTROL,
    /**
     * Follows the source's changes continuously ({@code realtime: true} connectors): created and restarted by the
     * daemons, never scheduled, never started from the command line.
     */
    REALTIME;

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<JobType> parse(String value) {
        return Arrays.stream(values()).filter(t -> t.value().equals(value)).findFirst();
    }
}
