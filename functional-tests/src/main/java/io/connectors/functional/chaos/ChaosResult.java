package io.connectors.functional.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a scenario observed. Built with {@link #builder()}: a scenario adds one check per thing it verified (the
 * scenario passed only if every check passed), and the figures for the report table.
 */
public final class ChaosResult {

    /** One verified expectation. */
    public record Check(String what, boolean passed, String detail) {
    }

    private final String outcome;
    private final long documentsLost;
    private final Duration recovery;
    private final List<Check> checks;
    private final List<String> notes;

    private ChaosResult(Builder b) {
        this.outcome = Objects.requireNonNull(b.outcome, "outcome");
        this.documentsLost = b.documentsLost;
        this.recovery = b.recovery;
        this.checks = List.copyOf(b.checks);
        this.notes = List.copyOf(b.notes);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A scenario that threw: failed, with the reason as its outcome. */
    public static ChaosResult aborted(String reason) {
        return builder().outcome("aborted: " + reason).check("the scenario ran to its end", false, reason).build();
    }

    public boolean passed() {
        return !checks.isEmpty() && checks.stream().allMatch(Check::passed) && documentsLost <= 0;
    }

    /** What happened, one or two sentences: "the sync failed cleanly after 3 retries; the next one completed". */
    public String outcome() {
        return outcome;
    }

    /** Documents the source has that the index lacked (or had wrong) after recovery; -1 when not measured. */
    public long documentsLost() {
        return documentsLost;
    }

    /** From the fault to an index equal to the source again; {@code null} when not applicable. */
    public Duration recovery() {
        return recovery;
    }

    public List<Check> checks() {
        return checks;
    }

    public List<String> notes() {
        return notes;
    }

    public static final class Builder {
        private String outcome;
        private long documentsLost = -1;
        private Duration recovery;
        private final List<Check> checks = new ArrayList<>();
        private final List<String> notes = new ArrayList<>();

        private Builder() {
        }

        public Builder outcome(String outcome) {
            this.outcome = outcome;
            return this;
        }

        public Builder documentsLost(long documentsLost) {
            this.documentsLost = documentsLost;
            return this;
        }

        public Builder recovery(Duration recovery) {
            this.recovery = recovery;
            return this;
        }

        public Builder check(String what, boolean passed, String detail) {
            checks.add(new Check(what, passed, detail));
            return this;
        }

        /** A check that {@code actual} equals {@code expected}, with both in the detail. */
        public Builder checkEquals(String what, Object expected, Object actual) {
            return check(what, Objects.equals(expected, actual), "expected " + expected + ", got " + actual);
        }

        public Builder note(String note) {
            notes.add(note);
            return this;
        }

        public ChaosResult build() {
            return new ChaosResult(this);
        }
    }
}
