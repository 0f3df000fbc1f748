package io.connectors.runtime.state;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One split of a full sync, as its job record holds it: what it covers, who reads it, and how far its writes were
 * acknowledged. Written by whichever daemon reads the split (a conditional write of the whole job record, so two
 * daemons never both think they hold it).
 *
 * @param id          the split's id in its plan
 * @param description what it covers, for operators
 * @param values      the split as its source planned it (JSON)
 * @param state       where it is
 * @param worker      the daemon reading it ({@code running}), or that last read it
 * @param heartbeatAt the last time its worker saved its progress: a running split whose heartbeat is older than
 *                    {@code daemon.heartbeat_timeout} may be taken over
 * @param position    the last acknowledged position (JSON); {@code null} before the first
 * @param seen        documents covered by {@code position} (or by the whole split once done)
 * @param written     index operations acknowledged for it, all reads together
 * @param reads       how many times it was claimed (a resumed or taken-over split counts each)
 */
public record SplitRecord(String id, String description, Map<String, Object> values, State state, String worker,
                          Instant heartbeatAt, Map<String, Object> position, long seen, long written, int reads) {

    /** Where a split is in its life; stored lower case. */
    public enum State {
        /** Not being read: never claimed, or released (suspended daemon) with its position kept. */
        PENDING,
        /** Claimed by {@code worker}. */
        RUNNING,
        /** Every document acknowledged. */
        DONE;

        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }

        static State parse(String value) {
            for (State s : values()) {
                if (s.value().equals(value)) {
                    return s;
                }
            }
            return null;
        }
    }

    public SplitRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(state, "state");
        values = values == null ? Map.of() : values;
    }

    /** A split just planned. */
    public static SplitRecord planned(String id, String description, Map<String, Object> values) {
        return new SplitRecord(id, description, values, State.PENDING, null, null, null, 0, 0, 0);
    }

    /** Whether a worker may claim it now: pending, or running under a heartbeat older than {@code staleBefore}. */
    public boolean claimable(Instant staleBefore) {
        return state == State.PENDING
                || state == State.RUNNING && (heartbeatAt == null || heartbeatAt.isBefore(staleBefore));
    }

    public SplitRecord claimedBy(String by, Instant now) {
        return new SplitRecord(id, description, values, State.RUNNING, by, now, position, seen, written, reads + 1);
    }

    /** Its progress as saved by its worker. */
    public SplitRecord progressed(Map<String, Object> at, long seenAt, long writtenSoFar, boolean done, Instant now) {
        return new SplitRecord(id, description, values, done ? State.DONE : state, worker, now, at, seenAt,
                writtenSoFar, reads);
    }

    /** Back to pending (its worker stops), keeping its position. */
    public SplitRecord released() {
        return new SplitRecord(id, description, values, state == State.DONE ? State.DONE : State.PENDING, worker,
                heartbeatAt, position, seen, written, reads);
    }

    // ---------------------------------------------------------------- the codec

    static SplitRecord fromJson(String job, Map<String, Object> json) {
        Fields f = new Fields("job " + job + " split " + json.get("id"), json);
        return new SplitRecord(
                f.string("id"),
                f.string("description"),
                f.map("split"),
                f.value("state", State::parse),
                f.string("worker"),
                f.instant("heartbeat_at"),
                f.map("position"),
                f.number("seen"),
                f.number("written"),
                (int) f.number("reads"));
    }

    Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", id);
        JobRecord.put(out, "description", description);
        out.put("split", values);
        out.put("state", state.value());
        JobRecord.put(out, "worker", worker);
        JobRecord.put(out, "heartbeat_at", heartbeatAt);
        JobRecord.put(out, "position", position);
        out.put("seen", seen);
        out.put("written", written);
        out.put("reads", reads);
        return out;
    }

    static List<SplitRecord> listFromJson(String job, List<Map<String, Object>> json) {
        return json.stream().map(m -> fromJson(job, m)).toList();
    }
}
