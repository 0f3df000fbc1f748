package io.connectors.spi;

import java.util.Objects;

/** What {@link SplittableSource#readSplit} emits: the split's documents, and positions a read can resume from. */
public sealed interface SplitEvent {

    /** A document of the split. */
    record Document(SourceDocument document) implements SplitEvent {
        public Document {
            Objects.requireNonNull(document, "document");
        }
    }

    /** Every document of the split emitted before this event is covered by {@code position}. */
    record Position(SplitPosition position) implements SplitEvent {
        public Position {
            Objects.requireNonNull(position, "position");
        }
    }

    /** A document event. */
    static SplitEvent of(SourceDocument document) {
        return new Document(document);
    }

    /** A position event. */
    static SplitEvent at(SplitPosition position) {
        return new Position(position);
    }
}
