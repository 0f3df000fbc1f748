package io.connectors.runtime.config;

import io.connectors.extraction.ExtractionLimits;
import io.connectors.spi.config.ConfigField;
import io.connectors.spi.config.SourceConfig;
import java.time.Duration;
import java.util.List;

/**
 * How the text of documents' bodies is extracted: the {@code extraction} settings, each declared once below. They
 * bound the daemon's pool of parser processes, shared by all its connectors that extract content
 * (docs/extraction.md).
 *
 * @param workers               parser processes at most, one document each at a time
 * @param workerHeapBytes       the heap of each parser process
 * @param timeout               the time one document may take
 * @param maxInputBytes         bodies larger than this are not parsed
 * @param maxCharacters         text beyond this many characters is cut off
 * @param maxDocumentsPerWorker a parser process is replaced after this many documents
 */
public record ExtractionSettings(int workers, long workerHeapBytes, Duration timeout, long maxInputBytes,
                                 int maxCharacters, int maxDocumentsPerWorker) {

    public static final ConfigField WORKERS = ConfigField.integer("workers").defaultValue(0L)
            .validate(ConfigField.atLeast(0)).validate(ConfigField.atMost(256))
            .description("Parser processes at most, each parsing one document at a time; they start on first use and"
                    + " stop after a minute unused. `0`: one per core.");
    public static final ConfigField WORKER_HEAP = ConfigField.byteSize("worker_heap").defaultValue("512mb")
            .validate(ConfigField.between(32L << 20, 64L << 30))
            .description("The maximum heap of each parser process. A document that needs more costs that document"
                    + " (`out_of_memory`), never the daemon. Memory to plan for: `workers` x this, beside the daemon's.");
    public static final ConfigField TIMEOUT = ConfigField.duration("timeout").defaultValue("60s")
            .validate(ConfigField.positiveDuration())
            .description("The time one document may take in a parser; beyond it the parser process is stopped and the"
                    + " document gets no text (`timeout`).");
    public static final ConfigField MAX_INPUT_SIZE = ConfigField.byteSize("max_input_size").defaultValue("50mb")
            .validate(ConfigField.between(1, 4L << 30))
            .description("Bodies larger than this are not read or parsed (`too_large`); the document is indexed with"
                    + " its other fields.");
    public static final ConfigField MAX_CHARACTERS = ConfigField.integer("max_characters").defaultValue(1_000_000L)
            .validate(ConfigField.atLeast(1)).validate(ConfigField.atMost(50_000_000))
            .description("Text beyond this many characters is cut off; `content_metadata.truncated` says so.");
    public static final ConfigField MAX_DOCUMENTS_PER_WORKER = ConfigField.integer("max_documents_per_worker")
            .defaultValue(1000L).validate(ConfigField.atLeast(1)).validate(ConfigField.atMost(10_000_000))
            .description("A parser process is replaced after this many documents, so that what parsers leak does not"
                    + " accumulate.");

    /** The {@code extraction} settings. */
    public static final SettingsGroup GROUP = new SettingsGroup("extraction", "Content extraction: the text and metadata"
            + " of PDF, Office, OpenDocument, e-mail, HTML, EPUB and other files, for connectors with"
            + " `extract_content` ([extraction.md](extraction.md)).",
            List.of(WORKERS, WORKER_HEAP, TIMEOUT, MAX_INPUT_SIZE, MAX_CHARACTERS, MAX_DOCUMENTS_PER_WORKER));

    /** The bound {@code extraction} settings; {@code null} when they have problems (reported in {@code values}). */
    static ExtractionSettings from(SettingValues values) {
        if (!values.bound(GROUP)) {
            return null;
        }
        SourceConfig v = values.of(GROUP);
        int workers = (int) v.integer(WORKERS);
        return new ExtractionSettings(workers == 0 ? Runtime.getRuntime().availableProcessors() : workers,
                v.byteSize(WORKER_HEAP), v.duration(TIMEOUT), v.byteSize(MAX_INPUT_SIZE), (int) v.integer(MAX_CHARACTERS),
                (int) v.integer(MAX_DOCUMENTS_PER_WORKER));
    }

    /** Every {@code extraction} setting at its declared default. */
    public static ExtractionSettings defaults() {
        return from(SettingValues.defaults());
    }

    /** As the extractor pool takes them. */
    public ExtractionLimits limits() {
        return new ExtractionLimits(workers, workerHeapBytes, timeout, maxInputBytes, maxCharacters, maxDocumentsPerWorker);
    }

    /**
     * What shapes extracted content (the input and text limits): part of a connector's fingerprint, so changing them
     * extracts every document again on the next full sync. The pool's size, heap and timeout are not: they change
     * how, not what.
     */
    public String fingerprint() {
        return "extract:" + maxInputBytes + ":" + maxCharacters;
    }
}
