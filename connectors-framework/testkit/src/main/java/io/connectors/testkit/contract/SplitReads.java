package io.connectors.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SourceSplit;
import io.connectors.spi.SplitEvent;
import io.connectors.spi.SplitPosition;
import io.connectors.spi.SplittableSource;
import io.connectors.spi.rules.SyncRules;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import reactor.test.StepVerifier;

/** The reads the contract suite's split checks make: whole splits, splits from a position, JSON round trips. */
final class SplitReads {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SplitReads() {
    }

    /** Every event of a read of {@code split} from {@code from}, failing on error or timeout. */
    static List<SplitEvent> read(SplittableSource source, SourceSplit split, SplitPosition from, Duration timeout) {
        List<SplitEvent> out = new ArrayList<>();
        StepVerifier.create(source.readSplit(split, from, SyncRules.NONE).doOnNext(out::add))
                .thenConsumeWhile(e -> true)
                .expectComplete()
                .verify(timeout);
        return out;
    }

    /** The documents among {@code events}, in order. */
    static List<SourceDocument> documents(List<SplitEvent> events) {
        return events.stream().filter(e -> e instanceof SplitEvent.Document)
                .map(e -> ((SplitEvent.Document) e).document()).toList();
    }

    /** The plan, checked for what every plan must be: at least one split, unique ids. */
    static List<SourceSplit> plan(SplittableSource source, Duration timeout) {
        List<SourceSplit> splits = source.planSplits(SyncRules.NONE).block(timeout);
        assertThat(splits).as("planSplits emits at least one split").isNotNull().isNotEmpty();
        assertThat(splits.stream().map(SourceSplit::id).toList()).as("split ids").doesNotHaveDuplicates();
        return splits;
    }

    /** {@code split} as another process reads it back from a job record: its values through JSON. */
    static SourceSplit throughJson(SourceSplit split) {
        return new SourceSplit(split.id(), split.description(), roundTrip(split.values()));
    }

    /** {@code position} through JSON. */
    static SplitPosition throughJson(SplitPosition position) {
        return new SplitPosition(roundTrip(position.values()));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> roundTrip(Map<String, Object> values) {
        try {
            return JSON.readValue(JSON.writeValueAsString(values), Map.class);
        } catch (JsonProcessingException e) {
            throw new AssertionError("split values must be JSON-compatible (maps, lists, strings, numbers, booleans):"
                    + " " + values + ": " + e.getOriginalMessage(), e);
        }
    }
}
